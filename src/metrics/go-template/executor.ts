/**
 * Executes parse trees with the semantics of Go's text/template exec.go
 * (Go 1.19, missingkey=default): the same evaluation order, argument type
 * checks, nil and missing-key handling, and the same error wording and
 * location, including which node an error is reported at.
 */
import {
  nodeToString,
  type BranchNode,
  type ChainNode,
  type CommandNode,
  type FieldNode,
  type IdentifierNode,
  type ListNode,
  type Node,
  type NumberNode,
  type PipeNode,
  type TemplateNode,
  type VariableNode,
} from './ast.js';
import { formatValue } from './go-fmt.js';
import { paramTypeName, type GoFunction, type ParamType } from './go-function.js';
import { goQuote } from './go-quote.js';
import { GoTemplateError } from './go-template-error.js';
import {
  GoInt,
  GoStruct,
  goTypeName,
  hasInterfaceElements,
  hasOwnKey,
  isGoMap,
  isTruthy,
  sortedKeys,
  utf8Length,
} from './go-values.js';
import type { TreeSet } from './parser.js';
import { TemplateBudget, TemplateBudgetError } from '../../util/template-budget.js';

/**
 * A value plus whether it sits in an interface{} (an element of a
 * map[string]interface {} or []interface {}), which changes Go's error
 * messages and how a nil inside it behaves.
 */
interface Operand {
  value: unknown;
  boxed: boolean;
}

interface Variable {
  name: string;
  value: unknown;
  boxed: boolean;
}

/** Go's missingVal: "no value piped into this command". */
const MISSING: unique symbol = Symbol('missing');
type Final = Operand | typeof MISSING;

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

// Go allows 100000 nested template calls; a JS stack gives out sooner, so stop earlier with Go's message.
const maxExecDepth = 2000;

export interface ExecutionContext {
  source: string;
  /** The top-level template's name (Go's ParseName), used in locations. */
  parseName: string;
  trees: TreeSet;
  functions: ReadonlyMap<string, GoFunction>;
}

/** Where in the source a node is, as Go's ErrorContext computes it (byte column, 0-based). */
function locate(source: string, pos: number): { line: number; byteColumn: number; column: number } {
  const before = source.slice(0, pos);
  const lineStart = before.lastIndexOf('\n') + 1;
  let line = 1;
  for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
  const lineText = before.slice(lineStart);
  return { line, byteColumn: utf8Length(lineText), column: lineText.length + 1 };
}

function canBeNil(type: ParamType): boolean {
  return type === 'any' || type === 'value' || type === 'map';
}

function matchesType(value: unknown, type: ParamType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'float64':
      return typeof value === 'number';
    case 'bool':
      return typeof value === 'boolean';
    case 'int':
    case 'int64':
      return value instanceof GoInt && value.kind === type;
    case 'map':
      return isGoMap(value) && goTypeName(value) === 'map[string]interface {}';
    default:
      return true;
  }
}

export class Execution {
  private out = '';
  private node: Node | undefined;
  private vars: Variable[] = [];
  private templateName: string;
  private depth = 0;
  /** Go's text/template has no such limit; here a render runs on canary's only thread. */
  private readonly budget = new TemplateBudget();

  constructor(
    private readonly context: ExecutionContext,
    name: string,
  ) {
    this.templateName = name;
  }

  run(data: unknown): string {
    const dot: Operand = { value: data === null ? undefined : data, boxed: false };
    this.vars = [{ name: '$', value: dot.value, boxed: false }];
    const root = this.context.trees.get(this.templateName);
    if (root === undefined) this.errorf(`${goQuote(this.templateName)} is an incomplete or empty template`);
    this.walk(dot, root);
    return this.out;
  }

  // --- errors ---

  private at(node: Node): void {
    this.node = node;
  }

  private errorf(reason: string, bareReason = reason): never {
    const name = this.templateName;
    if (this.node === undefined) {
      throw new GoTemplateError(`template: ${name}: ${reason}`, {
        templateName: name,
        line: 1,
        reason: bareReason,
        phase: 'execute',
      });
    }
    const where = locate(this.context.source, this.node.pos);
    const location = `${this.context.parseName}:${where.line}:${where.byteColumn}`;
    throw new GoTemplateError(
      `template: ${location}: executing ${goQuote(name)} at <${nodeToString(this.node)}>: ${reason}`,
      { templateName: name, line: where.line, column: where.column, reason: bareReason, phase: 'execute' },
    );
  }

  /** Charges the budget for loop items, template calls and function calls; over it is an error here. */
  private step(node: Node): void {
    try {
      this.budget.charge();
    } catch (error) {
      if (!(error instanceof TemplateBudgetError)) throw error;
      this.at(node);
      this.errorf(error.message);
    }
  }

  private checkString(value: unknown): void {
    try {
      this.budget.checkString(value);
    } catch (error) {
      if (error instanceof TemplateBudgetError) this.errorf(error.message);
      throw error;
    }
  }

  // --- walking ---

  private walk(dot: Operand, node: Node): void {
    this.at(node);
    switch (node.kind) {
      case 'action': {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, value);
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'if':
      case 'with':
        this.walkIfOrWith(dot, node);
        return;
      case 'list':
        for (const child of node.nodes) this.walk(dot, child);
        return;
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'template':
        this.walkTemplate(dot, node);
        return;
      case 'text':
        this.out += node.text;
        return;
      default:
        this.errorf(`unknown node: ${nodeToString(node)}`);
    }
  }

  private walkIfOrWith(dot: Operand, node: BranchNode): void {
    const mark = this.vars.length;
    try {
      const value = this.evalPipeline(dot, node.pipe);
      if (isTruthy(value)) {
        this.walk(node.kind === 'with' ? { value, boxed: false } : dot, node.list);
      } else if (node.elseList) {
        this.walk(dot, node.elseList);
      }
    } finally {
      this.vars.length = mark;
    }
  }

  private walkRange(dot: Operand, node: BranchNode): void {
    this.at(node);
    const outerMark = this.vars.length;
    try {
      const value = this.evalPipeline(dot, node.pipe);
      const mark = this.vars.length;
      const declared = node.pipe.decl.length;
      const oneIteration = (index: Operand, elem: Operand): void => {
        this.step(node);
        if (declared > 0)
          this.vars[this.vars.length - 1] = { ...(this.vars[this.vars.length - 1] as Variable), ...elem };
        if (declared > 1)
          this.vars[this.vars.length - 2] = { ...(this.vars[this.vars.length - 2] as Variable), ...index };
        try {
          this.walk(elem, node.list);
        } catch (signal) {
          if (signal !== CONTINUE) throw signal;
        } finally {
          this.vars.length = mark;
        }
      };
      if (Array.isArray(value)) {
        if (value.length > 0) {
          const boxed = hasInterfaceElements(value);
          for (let i = 0; i < value.length; i++) {
            oneIteration({ value: new GoInt(i), boxed: false }, { value: value[i], boxed });
          }
          return;
        }
      } else if (isGoMap(value)) {
        const keys = sortedKeys(value);
        if (keys.length > 0) {
          const boxed = hasInterfaceElements(value);
          for (const key of keys) oneIteration({ value: key, boxed: false }, { value: value[key], boxed });
          return;
        }
      } else if (value !== undefined && value !== null) {
        this.errorf(`range can't iterate over ${formatValue(value)}`);
      }
      if (node.elseList) this.walk(dot, node.elseList);
    } catch (signal) {
      if (signal !== BREAK) throw signal;
    } finally {
      this.vars.length = outerMark;
    }
  }

  private walkTemplate(dot: Operand, node: TemplateNode): void {
    this.at(node);
    const tree = this.context.trees.get(node.name);
    if (tree === undefined) this.errorf(`template ${goQuote(node.name)} not defined`);
    if (this.depth === maxExecDepth) this.errorf('exceeded maximum template depth (100000)');
    this.step(node);
    const value = this.evalPipeline(dot, node.pipe);
    const saved = { vars: this.vars, name: this.templateName, node: this.node, depth: this.depth };
    // No dynamic scoping: the invoked template sees only $ (its dot).
    this.vars = [{ name: '$', value, boxed: false }];
    this.templateName = node.name;
    this.depth++;
    this.walk({ value, boxed: false }, tree as ListNode);
    this.vars = saved.vars;
    this.templateName = saved.name;
    this.node = saved.node;
    this.depth = saved.depth;
  }

  private printValue(node: Node, value: unknown): void {
    this.at(node);
    this.out += value === undefined || value === null ? '<no value>' : formatValue(value);
    this.checkString(this.out);
  }

  // --- evaluation ---

  /** Evaluates a pipeline; interface values are unwrapped, so a nil becomes a missing value. */
  private evalPipeline(dot: Operand, pipe: PipeNode | undefined): unknown {
    if (pipe === undefined) return undefined;
    this.at(pipe);
    let final: Final = MISSING;
    for (const cmd of pipe.cmds) {
      const result = this.evalCommand(dot, cmd, final);
      final = { value: result.value === null ? undefined : result.value, boxed: false };
    }
    const value = final === MISSING ? undefined : final.value;
    for (const variable of pipe.decl) {
      const name = variable.ident[0] as string;
      if (pipe.isAssign) this.setVar(name, value);
      else this.vars.push({ name, value, boxed: false });
    }
    return value;
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if ((this.vars[i] as Variable).name === name) {
        this.vars[i] = { name, value, boxed: false };
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private varValue(name: string): Operand {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const variable = this.vars[i] as Variable;
      if (variable.name === name) return variable;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private notAFunction(args: readonly Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${nodeToString(args[0] as Node)}`);
    }
  }

  private evalCommand(dot: Operand, cmd: CommandNode, final: Final): Operand {
    const first = cmd.args[0] as Node;
    switch (first.kind) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return { value: this.evalPipeline(dot, first), boxed: false };
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool':
        return { value: first.value, boxed: false };
      case 'dot':
        return dot;
      case 'nil':
        this.errorf('nil is not a command');
      // falls through: errorf never returns
      case 'number':
        return { value: this.idealConstant(first), boxed: false };
      case 'string':
        return { value: first.text, boxed: false };
    }
    this.errorf(`can't evaluate command ${goQuote(nodeToString(first))}`);
  }

  /** A number with no type context: its spelling decides int or float64. */
  private idealConstant(node: NumberNode): unknown {
    this.at(node);
    const text = node.text;
    const isHexInt = /^0[xX]/.test(text) && !/[pP]/.test(text);
    const isRuneInt = text.startsWith("'");
    if (node.isFloat && !isHexInt && !isRuneInt && /[.eEpP]/.test(text)) return node.float;
    if (node.isInt) return new GoInt(node.int);
    if (node.isUint) this.errorf(`${text} overflows int`);
    return undefined;
  }

  private evalFieldNode(dot: Operand, field: FieldNode, args: readonly Node[] | null, final: Final): Operand {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: Operand, chain: ChainNode, args: readonly Node[] | null, final: Final): Operand {
    this.at(chain);
    if (chain.node.kind === 'nil') this.errorf(`indirection through explicit nil in ${nodeToString(chain)}`);
    const receiver = this.evalArg(dot, undefined, chain.node);
    return this.evalFieldChain(dot, { value: receiver, boxed: false }, chain, chain.field, args, final);
  }

  private evalVariableNode(
    dot: Operand,
    variable: VariableNode,
    args: readonly Node[] | null,
    final: Final,
  ): Operand {
    this.at(variable);
    const value = this.varValue(variable.ident[0] as string);
    if (variable.ident.length === 1) {
      this.notAFunction(args ?? [variable], final);
      return value;
    }
    return this.evalFieldChain(dot, value, variable, variable.ident.slice(1), args, final);
  }

  private evalFieldChain(
    dot: Operand,
    receiver: Operand,
    node: Node,
    ident: readonly string[],
    args: readonly Node[] | null,
    final: Final,
  ): Operand {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(ident[i] as string, null, MISSING, receiver);
    return this.evalField(ident[n - 1] as string, args, final, receiver);
  }

  private evalField(
    fieldName: string,
    args: readonly Node[] | null,
    final: Final,
    receiver: Operand,
  ): Operand {
    const value = receiver.value;
    // A missing value yields missing (missingkey=default), without an error.
    if (value === undefined) return { value: undefined, boxed: false };
    const typeName = receiver.boxed || value === null ? 'interface {}' : goTypeName(value);
    if (value === null) this.errorf(`nil pointer evaluating ${typeName}.${fieldName}`);
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (value instanceof GoStruct) {
      const field = value.field(fieldName);
      if (field && hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      if (field) return { value: field.value, boxed: false };
      this.errorf(`can't evaluate field ${fieldName} in type ${typeName}`);
    }
    if (isGoMap(value)) {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      if (hasOwnKey(value, fieldName)) return { value: value[fieldName], boxed: hasInterfaceElements(value) };
      return { value: undefined, boxed: false };
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${typeName}`);
  }

  private evalFunction(
    dot: Operand,
    node: IdentifierNode,
    cmd: Node,
    args: readonly Node[] | null,
    final: Final,
  ): Operand {
    this.at(node);
    const name = node.ident;
    const fn = this.context.functions.get(name);
    if (fn === undefined) this.errorf(`${goQuote(name)} is not a defined function`);
    return this.evalCall(dot, fn, cmd, name, args, final);
  }

  private evalCall(
    dot: Operand,
    fn: GoFunction,
    node: Node,
    name: string,
    args: readonly Node[] | null,
    final: Final,
  ): Operand {
    const argNodes = args === null ? [] : args.slice(1);
    const numIn = argNodes.length + (final === MISSING ? 0 : 1);
    let numFixed = argNodes.length;
    if (fn.variadic !== undefined) {
      numFixed = fn.params.length;
      if (numIn < numFixed) {
        this.errorf(
          `wrong number of args for ${name}: want at least ${fn.params.length} got ${argNodes.length}`,
        );
      }
    } else if (numIn !== fn.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }

    if (name === 'and' || name === 'or') {
      // Short-circuit: return the first deciding argument, else the last one.
      let value: unknown;
      for (const arg of argNodes) {
        value = this.evalArg(dot, 'value', arg);
        if (isTruthy(value) === (name === 'or')) return { value, boxed: false };
      }
      if (final !== MISSING) value = this.validateType(final, 'value');
      return { value, boxed: false };
    }

    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < argNodes.length; i++) {
      argv.push(this.evalArg(dot, fn.params[i] as ParamType, argNodes[i] as Node));
    }
    if (fn.variadic !== undefined) {
      for (; i < argNodes.length; i++) argv.push(this.evalArg(dot, fn.variadic, argNodes[i] as Node));
    }
    if (final !== MISSING) {
      let type = fn.params[fn.params.length - 1] as ParamType;
      if (fn.variadic !== undefined) {
        type = numIn - 1 < numFixed ? (fn.params[numIn - 1] as ParamType) : fn.variadic;
      }
      argv.push(this.validateType(final, type));
    }
    this.step(node);
    let result: unknown;
    try {
      result = fn.call(argv);
    } catch (error) {
      if (error instanceof GoTemplateError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      this.at(node);
      this.errorf(
        `error calling ${name}: ${message}`,
        name === 'fail' ? message : `error calling ${name}: ${message}`,
      );
    }
    this.checkString(result);
    return { value: result, boxed: false };
  }

  /** Checks that a value can be passed as a parameter of the given Go type. */
  private validateType(operand: Operand, type: ParamType | undefined): unknown {
    const value = operand.value;
    if (value === undefined) {
      if (type === undefined || type === 'value') return undefined;
      if (canBeNil(type)) return null;
      this.errorf(`invalid value; expected ${paramTypeName(type)}`);
    }
    if (type === undefined || type === 'any' || type === 'value') return value;
    if (value !== null && matchesType(value, type)) return value;
    const got = value === null ? 'interface {}' : goTypeName(value);
    this.errorf(`wrong type for value; expected ${paramTypeName(type)}; got ${got}`);
  }

  private evalArg(dot: Operand, type: ParamType | undefined, node: Node): unknown {
    this.at(node);
    switch (node.kind) {
      case 'dot':
        return this.validateType(dot, type);
      case 'nil':
        if (type !== undefined && canBeNil(type)) return type === 'value' ? undefined : null;
        this.errorf(`cannot assign nil to ${type === undefined ? '<nil>' : paramTypeName(type)}`);
      // falls through: errorf never returns
      case 'field':
        return this.validateType(this.evalFieldNode(dot, node, [node], MISSING), type);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, node, null, MISSING), type);
      case 'pipe':
        return this.validateType({ value: this.evalPipeline(dot, node), boxed: false }, type);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, node, node, null, MISSING), type);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, node, null, MISSING), type);
    }
    const shown = nodeToString(node);
    switch (type) {
      case 'bool':
        if (node.kind === 'bool') return node.value;
        this.errorf(`expected bool; found ${shown}`);
      // falls through: errorf never returns
      case 'float64':
        if (node.kind === 'number' && node.isFloat) return node.float;
        this.errorf(`expected float; found ${shown}`);
      // falls through: errorf never returns
      case 'int':
      case 'int64':
        if (node.kind === 'number' && node.isInt) return new GoInt(node.int, type);
        this.errorf(`expected integer; found ${shown}`);
      // falls through: errorf never returns
      case 'string':
        if (node.kind === 'string') return node.text;
        this.errorf(`expected string; found ${shown}`);
      // falls through: errorf never returns
      case 'any':
      case 'value':
        return this.evalEmptyInterface(node);
    }
    this.errorf(
      `can't handle ${shown} for arg of type ${type === undefined ? '<nil>' : paramTypeName(type)}`,
    );
  }

  private evalEmptyInterface(node: Node): unknown {
    this.at(node);
    switch (node.kind) {
      case 'bool':
        return node.value;
      case 'number':
        return this.idealConstant(node);
      case 'string':
        return node.text;
    }
    this.errorf(`can't handle assignment of ${nodeToString(node)} to empty interface argument`);
  }
}
