// `import path from "./file.wasm" with { type: "file" }` gives the file's path: on disk in
// development, inside the executable when compiled. TypeScript does not read import
// attributes, so it learns the type of such imports here.
declare module "*.wasm" {
  const path: string;
  export default path;
}
declare module "*.data" {
  const path: string;
  export default path;
}
declare module "*.tar.gz" {
  const path: string;
  export default path;
}
