// What a search string asks for, read the way websearch_to_tsquery reads it: words, "phrases",
// `or`, and `-word` to leave out. Full-text search takes the string as it is; the same words
// and phrases are also looked for as parts of the text (trigrams), unless the string uses
// operators, whose meaning a substring cannot carry, or a term is too short for a trigram.

/** A term shorter than a trigram cannot use the trigram index: it would read every message. */
const SHORTEST_PART = 3;

export interface SearchTerms {
  /** The phrases and words, as typed (without quotes). */
  terms: string[];
  /** The last word gets a prefix match ("deplo" finds "deploy"): the string does not end in a closed phrase or an exclusion. */
  prefix: boolean;
  /** Every term is also found inside words, e-mail addresses and URLs. */
  parts: boolean;
}

export function readSearch(q: string): SearchTerms {
  const terms: string[] = [];
  let operators = false;
  for (const [, phrase, word] of q.matchAll(/"([^"]*)"?|(\S+)/g)) {
    if (phrase !== undefined) {
      if (phrase.trim()) terms.push(phrase.trim());
    } else if (word!.startsWith("-") || word!.toLowerCase() === "or") operators = true;
    else terms.push(word!);
  }
  const last = q.trimEnd().split(/\s+/).at(-1) ?? "";
  const prefix = !q.trimEnd().endsWith('"') && !last.startsWith("-") && last.toLowerCase() !== "or";
  const parts = !operators && terms.length > 0 && terms.every((term) => term.length >= SHORTEST_PART);
  return { terms, prefix, parts };
}

/** A LIKE pattern that finds `term` anywhere: its own %, _ and \ taken literally. */
export const containing = (term: string) => `%${term.replace(/[\\%_]/g, "\\$&")}%`;
