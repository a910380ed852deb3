import { createContext, useCallback, useContext, useDeferredValue, useId, useMemo, useState } from 'react';
import { type Container, childPath, containerPaths, entriesOf, isContainer, searchTree } from '../utils/json-path.ts';
import { Highlight, RedactedText } from './RedactedText.tsx';

/**
 * A JSON viewer for model inputs and outputs: expand/collapse, search (matches are
 * highlighted and their ancestors opened), copy any node's path or value, redaction
 * placeholders marked. Large payloads are paged — `pageSize` children and
 * `stringPage` characters at a time — so a 50k-item array renders instantly.
 *
 *   <JsonTree label="Input" value={trace.input} />
 */
interface TreeState {
  isOpen: (path: string) => boolean;
  toggle: (path: string) => void;
  term: string;
  matches: Set<string>;
  searchOpen: Set<string>;
  copy: (what: string, text: string) => void;
  pageSize: number;
  stringPage: number;
}
const TreeContext = createContext<TreeState | null>(null);
const useTree = () => useContext(TreeContext) as TreeState;

async function writeClipboard(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall through to the legacy path (insecure origins) */
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  const ok = document.execCommand?.('copy') ?? false;
  ta.remove();
  return ok;
}

export const valueToClipboardText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));

interface Props {
  label: string;
  value: unknown;
  pageSize?: number;
  stringPage?: number;
}

export function JsonTree({ label, value, pageSize = 100, stringPage = 2_000 }: Props) {
  const id = useId();
  const [term, setTerm] = useState('');
  const deferredTerm = useDeferredValue(term.trim());
  const search = useMemo(() => searchTree(value, deferredTerm), [value, deferredTerm]);
  const [expanded, setExpanded] = useState(() => containerPaths(value, 1));
  const [collapsed, setCollapsed] = useState(() => new Set<string>());
  const [announcement, setAnnouncement] = useState('');

  const isOpen = useCallback(
    (p: string) => !collapsed.has(p) && (expanded.has(p) || search.open.has(p)),
    [expanded, collapsed, search.open],
  );
  const toggle = useCallback(
    (p: string) => {
      const open = isOpen(p);
      setExpanded((s) => {
        const n = new Set(s);
        if (open) n.delete(p);
        else n.add(p);
        return n;
      });
      setCollapsed((s) => {
        const n = new Set(s);
        if (open) n.add(p);
        else n.delete(p);
        return n;
      });
    },
    [isOpen],
  );
  const copy = useCallback((what: string, text: string) => {
    void writeClipboard(text).then((ok) => setAnnouncement(ok ? `Copied ${what}` : `Could not copy ${what}`));
  }, []);

  const state: TreeState = {
    isOpen,
    toggle,
    term: deferredTerm,
    matches: search.matches,
    searchOpen: search.open,
    copy,
    pageSize,
    stringPage,
  };

  return (
    <div className="json-tree">
      <div className="json-toolbar">
        <label htmlFor={`${id}-search`} className="visually-hidden">
          Search {label}
        </label>
        <input
          id={`${id}-search`}
          type="search"
          placeholder={`Search ${label.toLowerCase()}…`}
          value={term}
          onChange={(e) => {
            setTerm(e.target.value);
            setCollapsed(new Set());
          }}
        />
        <span className="muted" role="status">
          {deferredTerm
            ? `${search.matches.size} match${search.matches.size === 1 ? '' : 'es'}${search.truncated ? ' (search stopped early: payload too large)' : ''}`
            : ''}
        </span>
        <button
          type="button"
          onClick={() => {
            setCollapsed(new Set());
            setExpanded(containerPaths(value, 8));
          }}
        >
          Expand all
        </button>
        <button
          type="button"
          onClick={() => {
            setExpanded(new Set(['$']));
            setCollapsed(new Set());
            setTerm('');
          }}
        >
          Collapse all
        </button>
      </div>
      <TreeContext.Provider value={state}>
        <ul className="json-root" aria-label={label}>
          <JsonNode name={null} value={value} path="$" />
        </ul>
      </TreeContext.Provider>
      <div className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </div>
    </div>
  );
}

function KeyLabel({ name, path }: { name: string | number | null; path: string }) {
  const { term, matches } = useTree();
  if (name === null) return <span className="json-key">{'(root)'}</span>;
  const text = typeof name === 'number' ? String(name) : name;
  return (
    <span className={typeof name === 'number' ? 'json-index' : 'json-key'}>
      {matches.has(path) && term ? <Highlight text={text} term={term} /> : text}
    </span>
  );
}

function CopyButtons({ path, value }: { path: string; value: unknown }) {
  const { copy } = useTree();
  return (
    <span className="json-copy">
      <button type="button" className="icon-button" aria-label={`Copy path ${path}`} onClick={() => copy(`path ${path}`, path)}>
        path
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label={`Copy value of ${path}`}
        onClick={() => copy(`value of ${path}`, valueToClipboardText(value))}
      >
        value
      </button>
    </span>
  );
}

function JsonNode({ name, value, path }: { name: string | number | null; value: unknown; path: string }) {
  if (isContainer(value)) return <ContainerNode name={name} value={value} path={path} />;
  return (
    <li className="json-node">
      <div className="json-line">
        <span className="json-toggle-spacer" aria-hidden="true" />
        <KeyLabel name={name} path={path} />
        <span className="json-colon">:</span>
        <PrimitiveValue value={value} path={path} />
        <CopyButtons path={path} value={value} />
      </div>
    </li>
  );
}

function ContainerNode({ name, value, path }: { name: string | number | null; value: Container; path: string }) {
  const { isOpen, toggle, pageSize, term, matches, searchOpen } = useTree();
  const [shown, setShown] = useState(pageSize);
  const open = isOpen(path);
  const entries = open ? entriesOf(value) : [];
  const count = Array.isArray(value) ? value.length : Object.keys(value).length;
  // A search hit beyond the current page is shown too, or it would be counted but invisible.
  let visible = shown;
  if (open && term) {
    for (let i = shown; i < entries.length; i++) {
      const p = childPath(path, (entries[i] as [string | number, unknown])[0]);
      if (matches.has(p) || searchOpen.has(p)) visible = i + 1;
    }
  }
  const summary = Array.isArray(value) ? `[${count}]` : `{${count}}`;
  return (
    <li className="json-node">
      <div className="json-line">
        <button
          type="button"
          className="json-toggle"
          aria-expanded={open}
          aria-label={`${open ? 'Collapse' : 'Expand'} ${path}`}
          onClick={() => toggle(path)}
        >
          <span aria-hidden="true">{open ? '▾' : '▸'}</span>
        </button>
        <KeyLabel name={name} path={path} />
        <span className="json-summary muted">{summary}</span>
        <CopyButtons path={path} value={value} />
      </div>
      {open && count > 0 && (
        <ul>
          {entries.slice(0, visible).map(([k, v]) => (
            <JsonNode key={String(k)} name={k} value={v} path={childPath(path, k)} />
          ))}
          {visible < count && (
            <li className="json-node">
              <button type="button" className="link-button" onClick={() => setShown(visible + pageSize)}>
                Show {Math.min(pageSize, count - visible)} more of {count - visible} remaining in {path}
              </button>
            </li>
          )}
        </ul>
      )}
    </li>
  );
}

function PrimitiveValue({ value, path }: { value: unknown; path: string }) {
  const { term, matches, stringPage } = useTree();
  const [chars, setChars] = useState(stringPage);
  const hit = term && matches.has(path) ? term : undefined;
  if (typeof value === 'string') {
    const shown = value.length > chars ? value.slice(0, chars) : value;
    return (
      <span className="json-string">
        "<RedactedText text={shown} highlight={hit} />
        {shown.length < value.length ? '…' : ''}"
        {shown.length < value.length && (
          <button type="button" className="link-button" onClick={() => setChars(chars + stringPage)}>
            Show more ({(value.length - shown.length).toLocaleString()} characters left)
          </button>
        )}
      </span>
    );
  }
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  const cls = value === null ? 'json-null' : typeof value === 'number' ? 'json-number' : 'json-boolean';
  return <span className={cls}>{hit ? <Highlight text={text} term={hit} /> : text}</span>;
}
