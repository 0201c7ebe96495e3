export async function runHistory(_messages?: number) { return { scenario: "history" }; }
