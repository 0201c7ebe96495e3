// The browser files are imported `with { type: "file" }`: the import is the file's path. (The
// server's own modules are imported without an extension, so "*.js" names only these.)
declare module "*.js" {
  const path: string;
  export default path;
}
declare module "*.css" {
  const path: string;
  export default path;
}
declare module "*.png" {
  const path: string;
  export default path;
}
declare module "*.webmanifest" {
  const path: string;
  export default path;
}
