/** Parse-tree nodes, shaped like Go's text/template/parse nodes. */
import { goQuote } from './go-quote.js';

interface NodeBase {
  /** Index of the node's first character in the template source. */
  pos: number;
}

export interface ListNode extends NodeBase {
  kind: 'list';
  nodes: Node[];
}

export interface TextNode extends NodeBase {
  kind: 'text';
  text: string;
}

export interface PipeNode extends NodeBase {
  kind: 'pipe';
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}

export interface ActionNode extends NodeBase {
  kind: 'action';
  pipe: PipeNode;
}

export interface CommandNode extends NodeBase {
  kind: 'command';
  args: Node[];
}

export interface IdentifierNode extends NodeBase {
  kind: 'identifier';
  ident: string;
}

export interface VariableNode extends NodeBase {
  kind: 'variable';
  ident: string[];
}

export interface DotNode extends NodeBase {
  kind: 'dot';
}

export interface NilNode extends NodeBase {
  kind: 'nil';
}

export interface FieldNode extends NodeBase {
  kind: 'field';
  ident: string[];
}

export interface ChainNode extends NodeBase {
  kind: 'chain';
  node: Node;
  field: string[];
}

export interface BoolNode extends NodeBase {
  kind: 'bool';
  value: boolean;
}

export interface NumberNode extends NodeBase {
  kind: 'number';
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  int: number;
  float: number;
  text: string;
}

export interface StringNode extends NodeBase {
  kind: 'string';
  quoted: string;
  text: string;
}

export interface EndNode extends NodeBase {
  kind: 'end';
}

export interface ElseNode extends NodeBase {
  kind: 'else';
}

export interface BranchNode extends NodeBase {
  kind: 'if' | 'range' | 'with';
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | undefined;
}

export interface BreakNode extends NodeBase {
  kind: 'break';
}

export interface ContinueNode extends NodeBase {
  kind: 'continue';
}

export interface TemplateNode extends NodeBase {
  kind: 'template';
  name: string;
  pipe: PipeNode | undefined;
}

export type Node =
  | ListNode
  | TextNode
  | PipeNode
  | ActionNode
  | CommandNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | EndNode
  | ElseNode
  | BranchNode
  | BreakNode
  | ContinueNode
  | TemplateNode;

/** Go's Node.String(): the node written back as template source (used in error context). */
export function nodeToString(node: Node): string {
  switch (node.kind) {
    case 'list':
      return node.nodes.map(nodeToString).join('');
    case 'text':
      return node.text;
    case 'pipe':
      return pipeToString(node);
    case 'action':
      return `{{${pipeToString(node.pipe)}}}`;
    case 'command':
      return node.args
        .map((arg) => (arg.kind === 'pipe' ? `(${pipeToString(arg)})` : nodeToString(arg)))
        .join(' ');
    case 'identifier':
      return node.ident;
    case 'variable':
      return node.ident.join('.');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'field':
      return node.ident.map((id) => '.' + id).join('');
    case 'chain': {
      const base = node.node.kind === 'pipe' ? `(${nodeToString(node.node)})` : nodeToString(node.node);
      return base + node.field.map((f) => '.' + f).join('');
    }
    case 'bool':
      return node.value ? 'true' : 'false';
    case 'number':
      return node.text;
    case 'string':
      return node.quoted;
    case 'end':
      return '{{end}}';
    case 'else':
      return '{{else}}';
    case 'if':
    case 'range':
    case 'with': {
      const elsePart = node.elseList ? `{{else}}${nodeToString(node.elseList)}` : '';
      return `{{${node.kind} ${pipeToString(node.pipe)}}}${nodeToString(node.list)}${elsePart}{{end}}`;
    }
    case 'break':
      return '{{break}}';
    case 'continue':
      return '{{continue}}';
    case 'template': {
      const pipe = node.pipe ? ' ' + pipeToString(node.pipe) : '';
      return `{{template ${goQuote(node.name)}${pipe}}}`;
    }
  }
}

function pipeToString(pipe: PipeNode): string {
  const decl = pipe.decl.length > 0 ? pipe.decl.map(nodeToString).join(', ') + ' := ' : '';
  return decl + pipe.cmds.map(nodeToString).join(' | ');
}
