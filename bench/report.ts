export async function writeReport(_results: Record<string, unknown>[]) {}
