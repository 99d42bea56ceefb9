/** Scores documents against a query; higher is more relevant. */
export interface Reranker {
  readonly specificationVersion: "v1";
  readonly provider: string;
  readonly modelId: string;
  /** One score per document, in the documents' order. */
  doRerank(query: string, documents: string[], options?: { signal?: AbortSignal }): Promise<number[]>;
}
