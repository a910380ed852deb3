// `ws` ships no types and @types/ws is not installed; the tests use a small part of it.
declare module 'ws' {
  export default class WebSocket {
    constructor(url: string);
    readonly OPEN: number;
    readyState: number;
    // biome-ignore lint/suspicious/noExplicitAny: event-specific listener arguments
    on(event: string, fn: (...args: any[]) => void): this;
    send(data: string): void;
    close(): void;
  }
}
