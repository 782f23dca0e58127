// JSON Schema for state files, made from the kinds' own parsers: each parse is run against
// probing arguments and reports, through Args, every argument it reads and the shape it wants.
// Nothing is listed twice: a new argument in a parser is in the schema at the next build.
import { Args, type ArgShape } from '../core/args.js';
import type { StateDecl } from '../core/state.js';
import type { Registry, ResourceFunction } from '../resources/resource.js';
import { REQUISITE_KEYS } from './sls.js';

type Schema = Record<string, unknown>;

/** Every argument a function's parser reads, with its shape. */
export function argumentsOf(kind: string, fnName: string, fn: ResourceFunction): Map<string, ArgShape> {
  const shapes = new Map<string, ArgShape>();
  let probe: Record<string, unknown> = {};
  // Parsers read some arguments only when others are given (`dir_mode` beside `mode`): probe
  // again with every argument seen so far until no new one appears.
  for (let pass = 0; pass < 5; pass++) {
    const seen = new Set<string>();
    const args = new Proxy(probe, {
      get: (t, k) => (typeof k === 'string' && seen.add(k), Reflect.get(t, k)),
    });
    const decl: StateDecl = { key: `x|${kind}`, id: 'x', kind, fn: fnName, name: '/x', args, argLines: {}, requisites: [], conditions: [], sls: 'x', file: 'x', line: 1, index: 0 };
    const a = new Args(decl, [], (key, shape) => {
      if (!shapes.has(key) || shapes.get(key)!.type === 'any') shapes.set(key, shape);
    });
    try {
      fn.parse(a, { decl, loadSource: () => '', listSource: () => undefined, pillar: () => undefined });
    } catch {
      /* a probe value a parser rejects by throwing: what it read so far still counts */
    }
    const before = Object.keys(probe).length;
    const next: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(probe), ...seen, ...shapes.keys()])) {
      if (key !== 'name') next[key] = probeValue(shapes.get(key));
    }
    probe = next;
    if (Object.keys(probe).length === before && pass > 0) break;
  }
  for (const key of Object.keys(probe)) if (!shapes.has(key)) shapes.set(key, { type: 'any' });
  // Most parsers take `name` as given (Args.name); cmd.run reads it as a command.
  if (!shapes.has('name')) shapes.set('name', { type: 'string' });
  return shapes;
}

function probeValue(shape: ArgShape | undefined): unknown {
  switch (shape?.type) {
    case 'boolean': return true;
    case 'integer': return 1;
    case 'mode': return '0644';
    case 'enum': return shape.values[0];
    case 'strings': return ['x'];
    case 'command': return ['true'];
    case 'mapping': return {};
    default: return 'x';
  }
}

const scalar = { type: ['string', 'number'] };
const requisite = {
  description: 'requisite: a state ID, `kind: ID-or-name`, `sls: file`, or a list of them',
  anyOf: [scalar, { type: 'object', minProperties: 1, maxProperties: 1, additionalProperties: scalar }, {
    type: 'array',
    items: { anyOf: [scalar, { type: 'object', minProperties: 1, maxProperties: 1, additionalProperties: scalar }] },
  }],
};

function valueSchema(shape: ArgShape): Schema {
  switch (shape.type) {
    case 'string': return scalar;
    case 'boolean': return { type: 'boolean' };
    case 'integer': return { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^\\d+$' }] };
    case 'mode': return { description: 'octal file mode, e.g. 0644', anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^(0o?)?[0-7]{3,4}$' }] };
    case 'enum': return { enum: [...shape.values] };
    case 'strings': return { anyOf: [scalar, { type: 'array', items: scalar }] };
    case 'command': return { description: 'an argv list, or a string', anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: scalar }] };
    case 'mapping': return { type: 'object' };
    default: return {};
  }
}

const check = {
  description: 'a command run by /bin/sh, or a list of commands (each a string or an argv list)',
  anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: scalar }] } }],
};
const path = { type: 'string', pattern: '^/' };

/** What every state takes besides its requisites (compile/global-args.ts, compile/expand.ts). */
const GLOBAL: Record<string, Schema> = {
  unless: { ...check, description: `skip the state when this succeeds: ${check.description}` },
  onlyif: { ...check, description: `run the state only when this succeeds: ${check.description}` },
  creates: { description: 'skip the state when this path (or each of these) exists', anyOf: [path, { type: 'array', items: path }] },
  order: { description: 'a number, first or last', anyOf: [{ type: 'number' }, { enum: ['first', 'last'] }] },
  names: { description: 'one state per name (a name, or `name: [{argument: value}]`)', type: 'array', minItems: 1 },
};

/** One function's arguments (definitions `kind.fn`): a mapping, or Salt's list of one-key mappings. */
function functionSchemas(kind: string, fnName: string, fn: ResourceFunction): Record<string, Schema> {
  const props: Record<string, Schema> = {};
  const required: string[] = [];
  for (const [key, shape] of argumentsOf(kind, fnName, fn)) {
    props[key] = { ...valueSchema(shape), description: `${kind}.${fnName}: ${key}` };
    if (shape.type !== 'enum' && shape.required) required.push(key);
  }
  for (const key of REQUISITE_KEYS) props[key] = { $ref: '#/definitions/requisite' };
  for (const [key, value] of Object.entries(GLOBAL)) if (!(key in props)) props[key] = value;
  const name = `${kind}.${fnName}`;
  const args = { $ref: `#/definitions/${name}.args` };
  return {
    [`${name}.args`]: { type: 'object', properties: props, additionalProperties: false },
    // if/then rather than anyOf: an editor (and ajv) then names only the form that was meant.
    [name]: {
      description: name,
      type: ['null', 'object', 'array'],
      if: { type: 'object' },
      then: { allOf: [args, required.length ? { required } : {}] },
      else: { items: { allOf: [args, { minProperties: 1, maxProperties: 1 }] } },
    },
  };
}

/** The schema of a (rendered) state file: ID → kind.function → arguments. */
export function stateSchema(registry: Registry): Schema {
  const definitions: Record<string, Schema> = { requisite };
  const fnRefs: Record<string, Schema> = {};
  for (const [kind, fns] of Object.entries(registry)) {
    for (const [fnName, fn] of Object.entries(fns)) {
      Object.assign(definitions, functionSchemas(kind, fnName, fn));
      fnRefs[`${kind}.${fnName}`] = { $ref: `#/definitions/${kind}.${fnName}` };
    }
  }
  // Salt's other forms: `id: kind.function` (no arguments), and `kind: [function, - arg: value…]`.
  const short = { type: 'string', enum: Object.keys(fnRefs) };
  const kindRefs: Record<string, Schema> = {};
  for (const kind of Object.keys(registry)) {
    kindRefs[kind] = { description: `${kind}: [function, - argument: value…]`, type: 'array', items: { anyOf: [{ enum: Object.keys(registry[kind]) }, { type: 'object', minProperties: 1, maxProperties: 1 }] } };
  }
  const body = { type: 'object', minProperties: 1, properties: { ...fnRefs, ...kindRefs }, additionalProperties: false };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://brine.invalid/schemas/state.schema.json',
    title: 'brine state file',
    description: 'State ID → kind.function → arguments (Salt SLS). Templates are rendered first: check the rendered form.',
    type: 'object',
    properties: {
      include: { type: 'array', items: { type: 'string' } },
      extend: { description: "arguments merged into states of other files: ID → kind(.function) → arguments", type: 'object', additionalProperties: { type: 'object' } },
    },
    additionalProperties: { if: { type: 'string' }, then: short, else: body },
    definitions,
  };
}
