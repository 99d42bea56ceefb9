import type Database from "better-sqlite3";

/** Stems remembered per connection; queries repeat words, and a stem never changes. */
const STEM_CACHE_LIMIT = 10_000;

/**
 * Document frequencies of query words, read from the keyword index itself.
 *
 * The index stores porter stems ("visited" is indexed as "visit"), so a query word is first run
 * through the same tokenizer: it is inserted into a scratch FTS5 table in the connection's temp
 * schema (never in the cube file) and read back through an `fts5vocab` instance table. Document
 * counts then come from an `fts5vocab` row table over `items_fts`, a lookup per term.
 */
export class TermStats {
  private ready = false;
  private readonly stems = new Map<string, string | null>();
  private readonly df = new Map<string, number | undefined>();
  private dfVersion = "";

  constructor(
    private readonly db: Database.Database,
    private readonly tokenizer: string,
  ) {}

  private setup(): void {
    if (this.ready) return;
    // temp-schema objects live with the connection: nothing is written to the cube file.
    this.db.exec(
      `CREATE VIRTUAL TABLE IF NOT EXISTS temp.memos_fts_vocab USING fts5vocab(main, items_fts, row);
       CREATE VIRTUAL TABLE IF NOT EXISTS temp.memos_stem_probe USING fts5(x, tokenize = "${this.tokenizer}");
       CREATE VIRTUAL TABLE IF NOT EXISTS temp.memos_stem_vocab USING fts5vocab(temp, memos_stem_probe, instance);`,
    );
    this.ready = true;
  }

  /** The indexed form of each word (null when the tokenizer yields no single term for it). */
  stemsOf(words: readonly string[]): Map<string, string | null> {
    this.setup();
    const missing = words.filter((w) => !this.stems.has(w));
    if (missing.length > 0) {
      if (this.stems.size + missing.length > STEM_CACHE_LIMIT) this.stems.clear();
      const insert = this.db.prepare("INSERT INTO temp.memos_stem_probe(rowid, x) VALUES (?, ?)");
      const rows = this.db.transaction(() => {
        missing.forEach((w, i) => {
          insert.run(i + 1, w);
        });
        const out = this.db.prepare("SELECT doc, term FROM temp.memos_stem_vocab").all() as {
          doc: number;
          term: string;
        }[];
        this.db.exec("DELETE FROM temp.memos_stem_probe");
        return out;
      })();
      const byDoc = new Map<number, string[]>();
      for (const r of rows) byDoc.set(r.doc, [...(byDoc.get(r.doc) ?? []), r.term]);
      missing.forEach((w, i) => {
        const terms = byDoc.get(i + 1);
        this.stems.set(w, terms?.length === 1 ? (terms[0] as string) : null);
      });
    }
    return new Map(words.map((w) => [w, this.stems.get(w) ?? null]));
  }

  /**
   * How many memories contain each word (undefined: none, or the word has no single stem).
   * A vocabulary lookup costs about 0.4 ms at 100k memories, so counts are remembered until
   * `version` changes (the caller passes one that changes with every commit to the cube).
   */
  documentFrequencies(words: readonly string[], version: string): Map<string, number | undefined> {
    const stems = this.stemsOf(words);
    if (version !== this.dfVersion || this.df.size > STEM_CACHE_LIMIT) {
      this.df.clear();
      this.dfVersion = version;
    }
    const lookup = this.db.prepare("SELECT doc FROM temp.memos_fts_vocab WHERE term = ?");
    const out = new Map<string, number | undefined>();
    for (const w of words) {
      const stem = stems.get(w);
      if (!stem) {
        out.set(w, undefined);
        continue;
      }
      if (!this.df.has(stem)) {
        this.df.set(stem, (lookup.get(stem) as { doc: number } | undefined)?.doc);
      }
      out.set(w, this.df.get(stem));
    }
    return out;
  }
}
