// The malformed requests: each kind is a fast-check arbitrary over the endpoints, the
// credentials and its own ways of being wrong, so that a seed names the same mix again.
import fc from "fast-check";
import type { Fixtures } from "./endpoints";
import { framingCases } from "./framing-cases";
import type { FuzzCase } from "./requests";
import { valueCases } from "./value-cases";

export type { FuzzCase };

export const fuzzCases = (f: Fixtures): fc.Arbitrary<FuzzCase> => fc.oneof(...valueCases(f), ...framingCases(f));
