// The browser files are imported `with { type: "file" }`: the import is the file's path.
declare module "*.min.js" {
  const path: string;
  export default path;
}
declare module "*/chat.js" {
  const path: string;
  export default path;
}
declare module "*/actions.js" {
  const path: string;
  export default path;
}
declare module "*/presence.js" {
  const path: string;
  export default path;
}
declare module "*/socket.js" {
  const path: string;
  export default path;
}
declare module "*/timeline.js" {
  const path: string;
  export default path;
}
declare module "*.css" {
  const path: string;
  export default path;
}
