/**
 * A port of the grammar of Go's text/template/parse (Go 1.19), including its
 * three-token look-ahead, so that errors name the same token and line as Go.
 */
import {
  nodeToString,
  type BranchNode,
  type ChainNode,
  type CommandNode,
  type ListNode,
  type Node,
  type PipeNode,
  type TemplateNode,
  type VariableNode,
} from './ast.js';
import { goQuote, goUnquote } from './go-quote.js';
import { describeItem, ItemType, Lexer, type Item } from './lexer.js';
import { parseNumberLiteral } from './number-literal.js';

/** What the parser should do with a function name it meets. */
export type FunctionStatus = 'defined' | 'undefined' | 'unsupported';

export interface ParseOptions {
  /** Name of the top-level template, used in error messages. */
  name: string;
  functionStatus: (name: string) => FunctionStatus;
}

/** A parse failure before it is turned into a GoTemplateError. */
export class ParseFailure extends Error {
  constructor(
    message: string,
    readonly reason: string,
    readonly line: number,
    readonly pos: number,
  ) {
    super(message);
  }
}

/** Named trees: the top-level template plus every define and block. */
export type TreeSet = Map<string, ListNode>;

export function parseTemplateSource(source: string, options: ParseOptions): TreeSet {
  const treeSet: TreeSet = new Map();
  const lexer = new Lexer(source);
  const top = new TreeParser(options.name, options, lexer, treeSet);
  top.parseTop();
  return treeSet;
}

const emptyItem: Item = { type: ItemType.EOF, pos: 0, val: '', line: 0 };

/** Go's IsEmptyTree: nothing but white space. */
function isEmptyTree(node: Node): boolean {
  switch (node.kind) {
    case 'list':
      return node.nodes.every(isEmptyTree);
    case 'text':
      return node.text.trim() === '';
    default:
      return false;
  }
}

class TreeParser {
  private readonly tokens: [Item, Item, Item] = [emptyItem, emptyItem, emptyItem];
  private peekCount = 0;
  private vars: string[] = ['$'];
  private actionLine = 0;
  private rangeDepth = 0;
  private root: ListNode | undefined;

  constructor(
    private name: string,
    private readonly options: ParseOptions,
    private readonly lexer: Lexer,
    private readonly treeSet: TreeSet,
  ) {}

  // --- token buffer, exactly as Go's Tree ---

  private next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.tokens[0] = this.lexer.nextItem();
    return this.tokens[this.peekCount] as Item;
  }

  private backup(): void {
    this.peekCount++;
  }

  private backup2(t1: Item): void {
    this.tokens[1] = t1;
    this.peekCount = 2;
  }

  private backup3(t2: Item, t1: Item): void {
    this.tokens[1] = t1;
    this.tokens[2] = t2;
    this.peekCount = 3;
  }

  private peek(): Item {
    if (this.peekCount > 0) return this.tokens[this.peekCount - 1] as Item;
    this.peekCount = 1;
    this.tokens[0] = this.lexer.nextItem();
    return this.tokens[0];
  }

  private nextNonSpace(): Item {
    let token: Item;
    do token = this.next();
    while (token.type === ItemType.Space);
    return token;
  }

  private peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  // --- errors ---

  private errorf(reason: string): never {
    const current = this.tokens[0];
    throw new ParseFailure(
      `template: ${this.options.name}:${current.line}: ${reason}`,
      reason,
      current.line,
      current.pos,
    );
  }

  private expect(expected: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.type !== expected) this.unexpected(token, context);
    return token;
  }

  private unexpected(token: Item, context: string): never {
    if (token.type === ItemType.Error) {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.options.name}:${this.actionLine}`;
        if (token.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(describeItem(token) + extra);
    }
    this.errorf(`unexpected ${describeItem(token)} in ${context}`);
  }

  private unquote(token: Item): string {
    try {
      return goUnquote(token.val);
    } catch (error) {
      this.errorf((error as Error).message);
    }
  }

  // --- grammar ---

  parseTop(): void {
    this.root = { kind: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== ItemType.EOF) {
      if (this.peek().type === ItemType.LeftDelim) {
        const delim = this.next();
        if (this.nextNonSpace().type === ItemType.Define) {
          const definition = new TreeParser('definition', this.options, this.lexer, this.treeSet);
          definition.parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const node = this.textOrAction();
      if (node.kind === 'end' || node.kind === 'else') this.errorf(`unexpected ${nodeToString(node)}`);
      this.root.nodes.push(node);
    }
    this.add();
  }

  private add(): void {
    const root = this.root as ListNode;
    const existing = this.treeSet.get(this.name);
    if (existing === undefined || isEmptyTree(existing)) {
      this.treeSet.set(this.name, root);
      return;
    }
    if (!isEmptyTree(root)) this.errorf(`template: multiple definition of template ${goQuote(this.name)}`);
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const token = this.nextNonSpace();
    if (token.type !== ItemType.String && token.type !== ItemType.RawString) this.unexpected(token, context);
    this.name = this.unquote(token);
    this.expect(ItemType.RightDelim, context);
    const [list, end] = this.itemList();
    if (end.kind !== 'end') this.errorf(`unexpected ${nodeToString(end)} in ${context}`);
    this.root = list;
    this.add();
  }

  private itemList(): [ListNode, Node] {
    const list: ListNode = { kind: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().type !== ItemType.EOF) {
      const node = this.textOrAction();
      if (node.kind === 'end' || node.kind === 'else') return [list, node];
      list.nodes.push(node);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.type) {
      case ItemType.Text:
        return { kind: 'text', pos: token.pos, text: token.val };
      case ItemType.LeftDelim: {
        this.actionLine = token.line;
        const node = this.action();
        this.actionLine = 0;
        return node;
      }
      default:
        this.unexpected(token, 'input');
    }
  }

  private action(): Node {
    const token = this.nextNonSpace();
    switch (token.type) {
      case ItemType.Block:
        return this.blockControl();
      case ItemType.Break:
        return this.breakOrContinue(token, 'break');
      case ItemType.Continue:
        return this.breakOrContinue(token, 'continue');
      case ItemType.Else:
        return this.elseControl();
      case ItemType.End:
        return { kind: 'end', pos: this.expect(ItemType.RightDelim, 'end').pos };
      case ItemType.If:
        return this.branch('if', true);
      case ItemType.Range:
        return this.branch('range', false);
      case ItemType.Template:
        return this.templateControl();
      case ItemType.With:
        return this.branch('with', false);
    }
    this.backup();
    const first = this.peek();
    return { kind: 'action', pos: first.pos, pipe: this.pipeline('command', ItemType.RightDelim) };
  }

  private breakOrContinue(keyword: Item, kind: 'break' | 'continue'): Node {
    const token = this.nextNonSpace();
    if (token.type !== ItemType.RightDelim) this.unexpected(token, `{{${kind}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${kind}}} outside {{range}}`);
    return { kind, pos: keyword.pos };
  }

  private pipeline(context: string, end: ItemType): PipeNode {
    const start = this.peekNonSpace();
    const pipe: PipeNode = { kind: 'pipe', pos: start.pos, isAssign: false, decl: [], cmds: [] };
    this.declarations(pipe, context);
    for (;;) {
      const token = this.nextNonSpace();
      if (token.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (token.type) {
        case ItemType.Bool:
        case ItemType.CharConstant:
        case ItemType.Complex:
        case ItemType.Dot:
        case ItemType.Field:
        case ItemType.Identifier:
        case ItemType.Number:
        case ItemType.Nil:
        case ItemType.RawString:
        case ItemType.String:
        case ItemType.Variable:
        case ItemType.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  /** Handles `$x :=`, `$x =` and `$i, $v :=` at the start of a pipeline. */
  private declarations(pipe: PipeNode, context: string): void {
    for (;;) {
      const variable = this.peekNonSpace();
      if (variable.type !== ItemType.Variable) return;
      this.next();
      // Space is a token, so "$x foo" needs three tokens of look-ahead.
      const tokenAfterVariable = this.peek();
      const following = this.peekNonSpace();
      if (following.type === ItemType.Assign || following.type === ItemType.Declare) {
        pipe.isAssign = following.type === ItemType.Assign;
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(variable.pos, variable.val));
        this.vars.push(variable.val);
        return;
      }
      if (following.type === ItemType.Char && following.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(variable.pos, variable.val));
        this.vars.push(variable.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const after = this.peekNonSpace().type;
          if (after === ItemType.Variable || after === ItemType.RightDelim || after === ItemType.RightParen) {
            continue;
          }
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      }
      if (tokenAfterVariable.type === ItemType.Space) this.backup3(variable, tokenAfterVariable);
      else this.backup2(variable);
      return;
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((cmd, i) => {
      const kind = cmd.args[0]?.kind;
      if (kind === 'bool' || kind === 'dot' || kind === 'nil' || kind === 'number' || kind === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private branch(kind: 'if' | 'range' | 'with', allowElseIf: boolean): BranchNode {
    const varsMark = this.vars.length;
    const pipe = this.pipeline(kind, ItemType.RightDelim);
    if (kind === 'range') this.rangeDepth++;
    const [list, next] = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: ListNode | undefined;
    if (next.kind === 'else') {
      // "{{else if b}}" is parsed as "{{else}}{{if b}}...{{end}}" sharing the outer {{end}}.
      if (allowElseIf && this.peek().type === ItemType.If) {
        this.next();
        elseList = { kind: 'list', pos: next.pos, nodes: [this.branch('if', true)] };
      } else {
        const [rest, end] = this.itemList();
        if (end.kind !== 'end') this.errorf(`expected end; found ${nodeToString(end)}`);
        elseList = rest;
      }
    }
    this.vars.length = varsMark;
    return { kind, pos: pipe.pos, pipe, list, elseList };
  }

  private elseControl(): Node {
    const peek = this.peekNonSpace();
    if (peek.type === ItemType.If) return { kind: 'else', pos: peek.pos };
    return { kind: 'else', pos: this.expect(ItemType.RightDelim, 'else').pos };
  }

  private blockControl(): Node {
    const context = 'block clause';
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    const pipe = this.pipeline(context, ItemType.RightDelim);
    const block = new TreeParser(name, this.options, this.lexer, this.treeSet);
    const [list, end] = block.itemList();
    if (end.kind !== 'end') this.errorf(`unexpected ${nodeToString(end)} in ${context}`);
    block.root = list;
    block.add();
    const node: TemplateNode = { kind: 'template', pos: token.pos, name, pipe };
    return node;
  }

  private templateControl(): Node {
    const context = 'template clause';
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== ItemType.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, ItemType.RightDelim);
    }
    return { kind: 'template', pos: token.pos, name, pipe };
  }

  private templateName(token: Item, context: string): string {
    if (token.type === ItemType.String || token.type === ItemType.RawString) return this.unquote(token);
    this.unexpected(token, context);
  }

  private command(): CommandNode {
    const cmd: CommandNode = { kind: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const token = this.next();
      if (token.type === ItemType.Space) continue;
      if (token.type === ItemType.RightDelim || token.type === ItemType.RightParen) this.backup();
      else if (token.type !== ItemType.Pipe) this.unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): Node | null {
    const node = this.term();
    if (node === null) return null;
    if (this.peek().type !== ItemType.Field) return node;
    const chain: ChainNode = { kind: 'chain', pos: this.peek().pos, node, field: [] };
    while (this.peek().type === ItemType.Field) chain.field.push(this.next().val.slice(1));
    switch (node.kind) {
      case 'field':
        return { kind: 'field', pos: chain.pos, ident: [...node.ident, ...chain.field] };
      case 'variable':
        return { kind: 'variable', pos: chain.pos, ident: [...node.ident, ...chain.field] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.errorf(`unexpected . after term ${goQuote(nodeToString(node))}`);
      // falls through: errorf never returns
      default:
        return chain;
    }
  }

  private term(): Node | null {
    const token = this.nextNonSpace();
    switch (token.type) {
      case ItemType.Identifier: {
        const status = this.options.functionStatus(token.val);
        if (status === 'undefined') this.errorf(`function ${goQuote(token.val)} not defined`);
        if (status === 'unsupported') {
          this.errorf(`function ${goQuote(token.val)} is not supported by canary`);
        }
        return { kind: 'identifier', pos: token.pos, ident: token.val };
      }
      case ItemType.Dot:
        return { kind: 'dot', pos: token.pos };
      case ItemType.Nil:
        return { kind: 'nil', pos: token.pos };
      case ItemType.Variable:
        return this.useVar(token.pos, token.val);
      case ItemType.Field:
        return { kind: 'field', pos: token.pos, ident: token.val.slice(1).split('.') };
      case ItemType.Bool:
        return { kind: 'bool', pos: token.pos, value: token.val === 'true' };
      case ItemType.CharConstant:
      case ItemType.Complex:
      case ItemType.Number:
        try {
          return parseNumberLiteral(token.pos, token.val, token.type === ItemType.CharConstant);
        } catch (error) {
          this.errorf((error as Error).message);
        }
      // falls through: errorf never returns
      case ItemType.LeftParen:
        return this.pipeline('parenthesized pipeline', ItemType.RightParen);
      case ItemType.String:
      case ItemType.RawString:
        return { kind: 'string', pos: token.pos, quoted: token.val, text: this.unquote(token) };
    }
    this.backup();
    return null;
  }

  private newVariable(pos: number, name: string): VariableNode {
    return { kind: 'variable', pos, ident: name.split('.') };
  }

  private useVar(pos: number, name: string): VariableNode {
    const variable = this.newVariable(pos, name);
    const base = variable.ident[0] ?? '';
    if (!this.vars.includes(base)) this.errorf(`undefined variable ${goQuote(base)}`);
    return variable;
  }
}
