import type { FormFields } from "./form-parse";

/**
 * Twilio posts the same few forms over and over: the same names in the same order. Adding some
 * twenty-five properties one by one to a new object costs the engine a hidden-class change per
 * name; copying an object that already has those keys, then storing the values, costs one copy.
 * So a form whose names are all known Twilio names is built from a template of its shape.
 */
interface Shape {
  names: readonly string[];
  /** An object with exactly these keys, in order; undefined when the form repeats a name (no template fits). */
  template: FormFields | undefined;
}

/** Plenty for the forms of one app; a flood of other shapes only clears the cache (it is rebuilt as forms come). */
const MAX_SHAPES = 64;
const shapes = new Map<number, Shape>();

/** Folds the next known name's index into a form's shape key (an int32; equal keys are confirmed name by name). */
export function nextShapeKey(key: number, nameIndex: number): number {
  return (Math.imul(key, 31) + nameIndex + 1) | 0;
}

/**
 * The fields of a form whose names are all known names (interned strings from the table), or
 * undefined when it repeats a name (then the caller adds the fields one by one).
 * @param key - the form's shape key, from {@link nextShapeKey} over its names.
 */
export function fieldsOfKnownShape(key: number, names: readonly string[], values: readonly string[]): FormFields | undefined {
  let shape = shapes.get(key);
  if (shape === undefined || !sameNames(shape.names, names)) {
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shape = { names: names.slice(), template: templateOf(names) };
    shapes.set(key, shape);
  }
  if (shape.template === undefined) return undefined;
  const fields = { ...shape.template };
  for (let i = 0; i < names.length; i++) fields[names[i] as string] = values[i] as string;
  return fields;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * An object with the names as keys, in order. JSON.parse gives it the engine's fast layout in one
 * go (the known names are plain identifiers), and a spread copies that layout as it is.
 */
function templateOf(names: readonly string[]): FormFields | undefined {
  if (new Set(names).size !== names.length) return undefined;
  return JSON.parse(`{${names.map((name) => `${JSON.stringify(name)}:""`).join(",")}}`) as FormFields;
}
