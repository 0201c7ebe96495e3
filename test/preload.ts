// Runs once before the test files: builds the embedded database template outside any
// hook's time limit (a first initdb takes seconds; copies of it, a fraction of one).
import { embeddedTemplate, mode } from "./harness";

if (mode === "embedded") await embeddedTemplate();
