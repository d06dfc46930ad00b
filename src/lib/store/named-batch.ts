/**
 * Statements for one D1 batch (one transaction), each added under a name and read back by
 * that name: adding a statement never shifts another's result, and nobody counts positions.
 */
export class NamedBatch {
  private readonly statements: D1PreparedStatement[] = [];
  private readonly names = new Map<string, number[]>();

  /** Adds `statements` under `name` (several statements may share one). */
  add(name: string, ...statements: D1PreparedStatement[]): this {
    const at = this.names.get(name) ?? [];
    for (const statement of statements) at.push(this.statements.push(statement) - 1);
    this.names.set(name, at);
    return this;
  }

  async run(db: D1Database): Promise<NamedResults> {
    return new NamedResults(await db.batch(this.statements), this.names);
  }
}

export class NamedResults {
  private readonly results: D1Result[];
  private readonly names: ReadonlyMap<string, readonly number[]>;

  constructor(results: D1Result[], names: ReadonlyMap<string, readonly number[]>) {
    this.results = results;
    this.names = names;
  }

  /** The rows the statements named `name` answered, in the order they were added. */
  rows<T>(name: string): T[] {
    return (this.names.get(name) ?? []).flatMap((i) => (this.results[i]?.results ?? []) as T[]);
  }

  first<T>(name: string): T | undefined {
    return this.rows<T>(name)[0];
  }
}

/**
 * SQL with a condition appended whose `?` parameters follow the statement's own: they are
 * numbered after `own` (the statement's own parameters, `?1` …), never by hand.
 */
export function withCondition(
  own: readonly unknown[],
  condition: { sql: string; params: readonly string[] },
): { sql: string; params: unknown[] } {
  let next = own.length + 1;
  return {
    sql: condition.sql.replace(/\?/g, () => `?${next++}`),
    params: [...own, ...condition.params],
  };
}
