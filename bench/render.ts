// What the server pays to render one message's Markdown, for the shapes that cost the most.
// `bun bench/render.ts`: each case warmed, then the fastest of 10 rounds of 5 renders.
import { renderMarkdown } from "../views/markdown";

const cases = {
  "one short line": "on my way, 5 minutes",
  "4,000 characters of plain words": "plain words in a long message ".repeat(134).slice(0, 4000),
  "4,000 characters of mixed Markdown": "**bold** and `code` with https://example.com/path and @bob, plus _italic_ text. ".repeat(50).slice(0, 4000),
  "210 bare URLs": "https://a.example/ ".repeat(210),
  "4,000 '[' characters": "[".repeat(4000),
};

for (const [name, message] of Object.entries(cases)) {
  for (let i = 0; i < 50; i++) renderMarkdown(message, true);
  const rounds = Array.from({ length: 10 }, () => {
    const started = performance.now();
    for (let i = 0; i < 5; i++) renderMarkdown(message, true);
    return (performance.now() - started) / 5;
  });
  console.log(`${name.padEnd(36)} ${Math.min(...rounds).toFixed(3)} ms`);
}
