/**
 * Go text/template + Sprig, rendered byte-for-byte as Iter8 (Go) renders
 * provider templates. Values are plain JSON-like data; numbers are float64
 * unless wrapped in GoInt.
 */
export { GoTemplate, parseGoTemplate, renderGoTemplate } from './go-template.js';
export { GoTemplateError, type GoTemplateErrorDetails } from './go-template-error.js';
export { GoInt, GoStruct, goInt, tagGoType, type GoIntKind, type GoStructField } from './go-values.js';
export { formatValue as formatGoValue, goSprintf } from './go-fmt.js';
