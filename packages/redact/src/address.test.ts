import { describe, expect, it } from 'vitest';
import { detectAddresses } from './detectors/address.ts';
import type { Span } from './detectors/span.ts';
import { findEntities, redactText } from './redact.ts';

/**
 * Postal addresses without a street type (issue 14): address blocks, units,
 * postcode cues, "N street", "corner of", cue + street, in any case. Every
 * example here is written for this file; none comes from the eval sets.
 */

/** The ADDRESS values findEntities reports for `text`, in order. */
const addresses = (text: string): string[] =>
  findEntities(text, { names: false })
    .filter((s) => s.type === 'ADDRESS')
    .map((s) => text.slice(s.start, s.end));

describe('address blocks', () => {
  it('street, unit, city and "Country postcode" lines are one address', () => {
    const text = 'Order for Ines Varga\n\n4410 Lindholmen 12\n Suite 30\n Vasterby\n\n Sweden 41276';
    expect(addresses(text)).toEqual(['4410 Lindholmen 12\n Suite 30\n Vasterby\n\n Sweden 41276']);
  });
  it('quoted or bulleted lines ("> ", "??? ")', () => {
    expect(addresses('> Kauppakatu 7\n> Apt. 12\n> Lahti\n> Finland 15140')).toEqual(['Kauppakatu 7\n> Apt. 12\n> Lahti\n> Finland 15140']);
    expect(addresses('??? Mara Quist\n??? 17 Harbour View 4\n??? Apt. 2\n??? Dunmore')).toEqual([
      '17 Harbour View 4\n??? Apt. 2\n??? Dunmore',
    ]);
  });
  it('without a unit: a city line or "City, ST postcode" after the street', () => {
    expect(addresses('Mäkitie 23\nTAMPERE, PI 33100')).toEqual(['Mäkitie 23\nTAMPERE, PI 33100']);
    expect(addresses('Hollow Oak 9\nBrenfield\n, nan\n 40317')).toEqual(['Hollow Oak 9\nBrenfield\n, nan\n 40317']);
    expect(addresses('Zum Anger 4\n34117 Kassel')).toEqual(['Zum Anger 4\n34117 Kassel']);
  });
  it('a P.O. box, in a block', () => {
    expect(redactText('P.O. Box 318\n Suite 4\n Nuuk\n Greenland 3900')).toBe('<ADDRESS_1>');
  });
  it('a street line after a cue in prose, the block below it', () => {
    const text = 'please send the spare key to 61 Raven Hollow 7\n Apt. 5\n Kelby\n Norway 5003? thanks';
    expect(redactText(text, undefined, { names: false })).toBe('please send the spare key to <ADDRESS_1>? thanks');
  });
});

describe('streets found from what surrounds them', () => {
  const CASES: Array<[string, string]> = [
    // a unit after the street, and a place-and-postcode tail
    ['please ship it to 88 Koivukuja 3 Apt. 9, Espoo, Finland 02100 today', '88 Koivukuja 3 Apt. 9, Espoo, Finland 02100'],
    ['lower case too: 12 ribeira 40 apt. 7\nporto, nan 41002', '12 ribeira 40 apt. 7\nporto, nan 41002'],
    // the word "street" after the number
    ['the shuttle stops at Rautatienkatu 21 street daily', 'Rautatienkatu 21'],
    ['drop-off is at 300 laivurinkatu 4 st. near the pier', '300 laivurinkatu 4'],
    // a Hungarian street type after the name
    ['the office is on Petőfi u. 22. since May', 'Petőfi u. 22.'],
    // corner of
    ['meet at the corner of Kapellgränd 4 and Norra Allén tonight', 'Kapellgränd 4 and Norra Allén'],
    // a cue, then a street without a street type
    ['She lives on Vesterbrogade 41 with her sister.', 'Vesterbrogade 41'],
    ['we meet at 512 koskikatu 9, tampere', '512 koskikatu 9'],
    ['Dinner at Ravintola Kuu, 208 Töölönkatu 27, Helsinki', '208 Töölönkatu 27'],
    // a named street after a place preposition
    // (only text with a digit somewhere reaches the address detectors)
    ['the market on Willow Bank Road was busy by 9', 'Willow Bank Road'],
    // a post-office box on its own
    ['reply to P.O. Box 4417 before Friday', 'P.O. Box 4417'],
    ['Postfach 12 34, Kassel', 'Postfach 12 34'],
    // a cue of moving or working, a house number first
    ['We moved from 71 Kivikatu 4 last spring.', '71 Kivikatu 4'],
    ['billing address:\nSaarenkatu 9', 'Saarenkatu 9'],
    ['The address of the bakery is Lönnrotinkatu 31.', 'Lönnrotinkatu 31'],
    // street types in other languages and orders; a unit number before the house number
    ['HQ at 12 avenue des Champs-Élysées, 75008 Paris', '12 avenue des Champs-Élysées, 75008 Paris'],
    ['Dirección: C/ Mayor 5, 3º B', 'C/ Mayor 5'],
    ['Terveisin,\nMannerheimintie 12, 00100 Helsinki', 'Mannerheimintie 12, 00100 Helsinki'],
    ['Grüße\nMariahilfer Straße 77/3\n1060 Wien', 'Mariahilfer Straße 77/3\n1060 Wien'],
    ['our new office: 2/14 Smith Street, Fitzroy VIC 3065', '2/14 Smith Street, Fitzroy VIC 3065'],
    ['ship to 200 Bay St, Toronto, ON M5J 2J2', '200 Bay St, Toronto, ON M5J 2J2'],
    // an address label, a table row
    ['Residence: Hallonbergen 14', 'Hallonbergen 14'],
    ['home address - 9 Kivikatu 3', '9 Kivikatu 3'],
    ['| 12 Rua Nova 8 |\n| Suite 3 |', '12 Rua Nova 8 |\n| Suite 3'],
    // military mail, lower case, and a ship
    ['psc 4410, box 221\napo ae 09061', 'psc 4410, box 221\napo ae 09061'],
    ['USNS Harvey\nFPO AP 96601', 'USNS Harvey\nFPO AP 96601'],
  ];
  for (const [text, value] of CASES) {
    it(text, () => {
      expect(addresses(text)).toEqual([value]);
      expect(redactText(text, undefined, { names: false })).not.toContain(value);
    });
  }
});

describe('postcodes after a cue', () => {
  const CASES: Array<[string, string]> = [
    ['ZIP: 4051', '4051'],
    ['zip code 113 55', '113 55'],
    ['Postal code: 2514 GH', '2514 GH'],
    ['postcode 00-950 (Warsaw)', '00-950'],
    ['zip 1234 is not valid', '1234'],
  ];
  for (const [text, value] of CASES) {
    it(text, () => expect(addresses(text)).toEqual([value]));
  }
});

describe('look-alikes stay', () => {
  const NEGATIVES = [
    'During 1971 the band toured.',
    'Upgrade to Windows 10 and Python 3.11 today.',
    'This is version 2 of 3.',
    'The meeting is in Room 101 at 10:30.',
    'on 12 March 2024, we shipped 3 releases.',
    'Chapter 2 Unit 3 covers fractions.',
    'Total: $1,250.00 paid at 09:15:22 UTC.',
    'Ran 120 tests in suite 3, 2 failed.',
    'meet me at gate 12 at 5 pm',
    'Top 10 movies 2023, ranked by fans.',
    'PR 4356\n\tPR 26865\n\tPR 27594',
    'Copyright (C) 1999 Free Software Foundation,\nInc.\nCopyright (C) 1992',
    'fixed bug 708330\n- resolved bug 708331',
    'Translation updates for ISO 639-5\n- Translation updates for ISO 4217',
    'the corner of the room and the window',
    'The server is at rack 12.',
    'Address Debian bug #221781 next.',
    'The score was 3 to 2, then 4 goals 1.',
    'She lives in London 5 days a week.',
    'The office is in Building 7.',
    'ship to customer 42 today',
    'Upstream moved to Apache 2 last year.',
    'It works on Solaris 10 too.',
    'thanks to Iain Lane for the patch 12',
    'Order 5532\nStatus\nShipped 12345',
    'Invoice 1001\nAcme Corp\nTotal 12345',
    'visit Bangkok 2019 trip',
  ];
  for (const text of NEGATIVES) {
    it(JSON.stringify(text), () => expect(addresses(text)).toEqual([]));
  }
});

describe('bounded work', () => {
  it('repeated unit and block shapes stay linear and short', () => {
    const units = ['Apt. 1\n', '1 Aa 1\n Suite 1\n', 'Aaaa 12\nBbbb\n 12345\n', 'corner of A 1 and ', 'lives on Aa 1 ', '1 aa 1, '];
    for (const unit of [...units, '1 st ', 'a u. 1 ', 'box 1 ', 'Aa 12345\n']) {
      const text = unit.repeat(Math.ceil(200_000 / unit.length));
      const out: Span[] = [];
      const t0 = performance.now();
      detectAddresses(text, out);
      expect(performance.now() - t0, unit).toBeLessThan(1500);
      expect(Math.max(0, ...out.map((s) => s.end - s.start)), unit).toBeLessThan(4000);
    }
  });
});
