import type { Diagnostic, PathSegment } from '../diagnostics.js';
import type { TaskSpec } from '../experiment.js';
import { suggestKey, checkAgainstSchema } from '../schema-check.js';
import {
  checkConditionSyntax,
  conditionContext,
  createTemplateEnvironment,
  findUnknownNames,
} from '../expressions.js';
import { findCycles } from '../../plan/task-graph.js';
import type { TaskRegistry } from '../../tasks/registry.js';
import type { CheckContext, TaskDefinition } from '../../tasks/task-definition.js';
import { statesItsKind, type At, type Rule, type RuleContext } from './rule.js';

/** The tasks that state their kind, with their index and how they were written. */
function taskEntries({ experiment, raw }: RuleContext) {
  return experiment.spec.tasks
    .map((task, i) => ({ task, i, rawTask: raw.spec.tasks[i]!, base: ['spec', 'tasks', i] as PathSegment[] }))
    .filter(({ rawTask }) => statesItsKind(rawTask));
}

export const taskKind: Rule = {
  name: 'task-kind',
  check({ raw, registry, at }) {
    const diagnostics: Diagnostic[] = [];
    raw.spec.tasks.forEach((rawTask, i) => {
      const base: PathSegment[] = ['spec', 'tasks', i];
      if (rawTask.task === undefined && rawTask.run === undefined) {
        diagnostics.push(
          at(base, 'a task needs `task: NAME`', {
            hint: `built-in tasks: ${[...registry.keys()].join(', ')}; Iter8's \`run: SCRIPT\` also works`,
          }),
        );
      } else if (rawTask.task !== undefined && rawTask.run !== undefined) {
        diagnostics.push(
          at([...base, 'run'], 'use either `run: SCRIPT` or `task: NAME`, not both', {}, true),
        );
      }
    });
    return diagnostics;
  },
};

/** Each id's first task (among tasks that state their kind), and a diagnostic for each repeat. */
function firstTaskOfId(context: RuleContext): { seen: Map<string, number>; duplicates: Diagnostic[] } {
  const seen = new Map<string, number>();
  const duplicates: Diagnostic[] = [];
  for (const { task, i, rawTask, base } of taskEntries(context)) {
    const previous = seen.get(task.id);
    if (previous === undefined) {
      seen.set(task.id, i);
      continue;
    }
    duplicates.push(
      context.at(
        rawTask.id !== undefined ? [...base, 'id'] : base,
        `duplicate task id ${JSON.stringify(task.id)} (also spec.tasks[${previous}])`,
        { hint: 'give each task a unique `id:`' },
      ),
    );
  }
  return { seen, duplicates };
}

export const uniqueTaskIds: Rule = {
  name: 'unique-task-ids',
  check: (context) => firstTaskOfId(context).duplicates,
};

export const knownNeeds: Rule = {
  name: 'known-needs',
  check(context) {
    const ids = new Set(context.experiment.spec.tasks.map((t) => t.id));
    const diagnostics: Diagnostic[] = [];
    for (const { task, rawTask, base } of taskEntries(context)) {
      if (rawTask.needs === undefined) continue;
      task.needs.forEach((need, j) => {
        if (need === task.id)
          diagnostics.push(context.at([...base, 'needs', j], 'a task cannot need itself'));
        else if (!ids.has(need)) {
          diagnostics.push(
            context.at([...base, 'needs', j], `unknown task id ${JSON.stringify(need)}`, {
              hint: suggestKey(need, [...ids]),
            }),
          );
        }
      });
    }
    return diagnostics;
  },
};

export const conditions: Rule = {
  name: 'conditions',
  check(context) {
    const { values, at } = context;
    const environment = createTemplateEnvironment();
    const diagnostics: Diagnostic[] = [];
    for (const { task, base } of taskEntries(context)) {
      if (task.if === undefined) continue;
      const problem = checkConditionSyntax(environment, task.if);
      const unknown = problem ? [] : findUnknownNames(task.if, conditionContext(values, 1));
      if (problem)
        diagnostics.push(
          at([...base, 'if'], `invalid condition: ${problem}`, { hint: 'for example: loop > 1' }),
        );
      else if (unknown.length > 0) {
        diagnostics.push(
          at(
            [...base, 'if'],
            `the condition reads ${unknown.map((u) => JSON.stringify(u)).join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not set`,
            {
              hint: `conditions can read: ${Object.keys(conditionContext(values, 1)).join(', ')}; set values with --set or -f`,
            },
          ),
        );
      }
    }
    return diagnostics;
  },
};

export const knownTasks: Rule = {
  name: 'known-tasks',
  check(context) {
    const diagnostics: Diagnostic[] = [];
    for (const { task, rawTask, base } of taskEntries(context)) {
      if (context.registry.has(task.task)) continue;
      diagnostics.push(
        context.at(
          rawTask.task !== undefined ? [...base, 'task'] : base,
          `unknown task ${JSON.stringify(task.task)}`,
          { hint: unknownTaskHint(task.task, context.registry) },
        ),
      );
    }
    return diagnostics;
  },
};

/** Iter8 v0.14 tasks canary does not build in, and what to use instead. */
const ITER8_ONLY_TASKS: Readonly<Record<string, string>> = {
  abnmetrics:
    "Iter8's abnmetrics task read Iter8's A/B/n service, which canary has no counterpart of: export those metrics to Prometheus and read them with custommetrics",
};

function unknownTaskHint(name: string, registry: TaskRegistry): string {
  if (Object.hasOwn(ITER8_ONLY_TASKS, name)) return ITER8_ONLY_TASKS[name]!;
  const suggestion = suggestKey(name, [...registry.keys()]);
  const known = `available tasks: ${[...registry.keys()].join(', ')}`;
  const plugin = 'a user task must be declared in spec.plugins (name: path/to/plugin.js)';
  return suggestion?.startsWith('did you mean') ? `${suggestion} (${known})` : `${known}; ${plugin}`;
}

/** Each known task's `with`, against its schema and then its own check. */
export const taskInputs: Rule = {
  name: 'task-inputs',
  async check(context) {
    const { experiment, registry, checkContext, at } = context;
    const checks = taskEntries(context).flatMap(({ task, rawTask, base }) => {
      const definition = registry.get(task.task);
      if (!definition) return [];
      const withPath: PathSegment[] =
        rawTask.run !== undefined && rawTask.task === undefined ? [...base, 'run'] : [...base, 'with'];
      return [
        checkTaskInput(
          definition,
          task,
          withPath,
          { ...checkContext, versions: experiment.spec.versions },
          at,
        ),
      ];
    });
    return (await Promise.all(checks)).flat();
  },
};

async function checkTaskInput(
  definition: TaskDefinition<never>,
  task: TaskSpec,
  withPath: PathSegment[],
  context: CheckContext,
  at: At,
): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  for (const problem of checkAgainstSchema(definition.inputSchema, task.with)) {
    diagnostics.push(
      at(
        [...withPath, ...problem.path],
        problem.message,
        problem.hint ? { hint: problem.hint } : {},
        problem.atKey,
      ),
    );
  }
  if (diagnostics.length > 0 || !definition.check) return diagnostics;
  try {
    for (const problem of await definition.check(task.with as never, context)) {
      const extra = {
        severity: problem.severity,
        ...(problem.hint ? { hint: problem.hint } : {}),
        ...(problem.concealValue ? { concealValue: true } : {}),
      };
      diagnostics.push(at([...withPath, ...problem.path], problem.message, extra, problem.atKey ?? false));
    }
  } catch (error) {
    diagnostics.push(
      at(withPath, `task ${JSON.stringify(task.task)} failed to check its inputs: ${String(error)}`),
    );
  }
  return diagnostics;
}

export const dependencyCycles: Rule = {
  name: 'dependency-cycles',
  check(context) {
    const tasks = context.experiment.spec.tasks;
    // With duplicate ids (or a task of no kind) the dependency graph is ambiguous; fix those first.
    if (firstTaskOfId(context).seen.size !== tasks.length) return [];
    return findCycles(tasks).map((cycle) => {
      const first = tasks.findIndex((t) => t.id === cycle[0]);
      return context.at(['spec', 'tasks', first, 'needs'], `dependency cycle: ${cycle.join(' -> ')}`, {
        hint: 'remove one of these `needs` entries',
      });
    });
  },
};
