/** Types for bloomfilter@1.1.0 (jasondavies/bloomfilter.js ships none): the part names.ts uses. */
declare module 'bloomfilter' {
  export class BloomFilter {
    /** `m` bits, `k` hash functions. */
    constructor(m: number, k: number);
    add(value: string): void;
    test(value: string): boolean;
  }
}
