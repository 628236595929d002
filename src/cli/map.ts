import fs from "node:fs";
import { COVERAGE_ENV, flowCoverage, mapFlow, toDot, toHtml, toMermaid, toSvg, type FlowCoverage, type FlowEdge, type FlowMap } from "../testing";
import { isStateNode } from "../testing/flow/coverage";
import { edgeKey, ERROR_ID } from "../testing/flow/graph";
import { DEFAULT_MAX_STEPS } from "../testing/flow/map-flow";
import { prepareCall } from "../testing/prepare-call";
import { coverageSummary, edgeLabel } from "../testing/flow/render-dot";
import { PROGRAM, type MapCommand } from "./args";
import { describeFailure, signatureHint } from "./phone";
import { errorMessage } from "../error-message";

/** Where `map` writes: the drawing (when no --out) on stdout, everything else on stderr. */
export interface MapIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Unwalked edges listed on stderr at most; the rest are counted. */
const UNWALKED_SHOWN = 15;

function describeEdge(map: FlowMap, edge: FlowEdge): string {
  const label = (id: string): string => map.nodes.find((node) => node.id === id)?.label ?? id;
  return `${label(edge.from)} --${edgeLabel(edge)}--> ${label(edge.to)}`;
}

function draw(map: FlowMap, command: MapCommand, coverage: FlowCoverage | undefined): Promise<string> {
  const options = { ...(coverage === undefined ? {} : { coverage }), ...(command.title === undefined ? {} : { title: command.title }) };
  switch (command.format) {
    case "dot":
      return Promise.resolve(toDot(map, options));
    case "mermaid":
      return Promise.resolve(toMermaid(map, coverage === undefined ? {} : { coverage }));
    case "svg":
      return toSvg(map, options);
    case "html":
      return toHtml(map, options);
  }
}

/**
 * Why the first webhook failed, from one call that fails the same way (the map only says that it
 * did). This call is not a test: it records no coverage.
 */
async function firstStepFailure(command: MapCommand): Promise<string> {
  try {
    const options = { uri: command.uri, ...(command.authToken === undefined ? {} : { authToken: command.authToken }) };
    const { call, start } = prepareCall(command.origin, options, { recordCoverage: false });
    await start();
    await call.hangUp();
    return "the first webhook failed while exploring";
  } catch (error) {
    const message = describeFailure(error, command.origin);
    const hint = signatureHint(message, command.authToken);
    return hint === undefined ? message : `${message}\n${hint}`;
  }
}

/**
 * Runs `map <url>`: explores the tree, writes the drawing (to --out or stdout), and prints a
 * summary, the coverage and any failing paths on stderr.
 * @returns the exit code: 0 mapped, 1 the server cannot be reached or a path fails, 2 an unreadable --coverage folder.
 */
export async function runMap(command: MapCommand, io: MapIo): Promise<number> {
  const err = (line: string): void => {
    io.stderr.write(`${line}\n`);
  };

  let coverageDir: string | undefined;
  if (command.coverage !== undefined) {
    // Checked before exploring: a wrong folder is a usage error, found at once.
    try {
      if (!fs.statSync(command.coverage).isDirectory()) throw new Error("not a folder");
      coverageDir = command.coverage;
    } catch (error) {
      err(`${PROGRAM}: --coverage ${command.coverage}: ${errorMessage(error)}`);
      err(`(run the tests with ${COVERAGE_ENV}=<folder> first: each simulated call records its walk there)`);
      return 2;
    }
  }

  const firstUrl = new URL(command.uri, command.origin).toString();
  const map = await mapFlow(command.origin, {
    uri: command.uri,
    ...(command.authToken === undefined ? {} : { authToken: command.authToken }),
    ...(command.maxSteps === undefined ? {} : { maxSteps: command.maxSteps }),
    ...(command.pauseMs === undefined ? {} : { pauseMs: command.pauseMs }),
  });
  const failedAtOnce = map.edges.length > 0 && map.edges.every((edge) => edge.to === ERROR_ID || edge.from === ERROR_ID || edge.kind === "call") && map.edges.some((edge) => edge.to === ERROR_ID);
  if (failedAtOnce) {
    err(`${PROGRAM}: ${await firstStepFailure(command)}`);
    return 1;
  }

  const coverage = coverageDir === undefined ? undefined : flowCoverage(map, coverageDir);
  let drawing: string;
  try {
    drawing = await draw(map, command, coverage);
  } catch (error) {
    err(`${PROGRAM}: could not draw the map as ${command.format}: ${errorMessage(error)}`);
    return 1;
  }
  if (command.out === undefined) {
    io.stdout.write(drawing.endsWith("\n") ? drawing : `${drawing}\n`);
  } else {
    try {
      fs.writeFileSync(command.out, drawing);
    } catch (error) {
      err(`${PROGRAM}: cannot write ${command.out}: ${errorMessage(error)}`);
      return 1;
    }
  }

  const states = map.nodes.filter(isStateNode).length;
  err(
    `Mapped ${firstUrl}: ${map.nodes.length} nodes (${states} states), ${map.edges.length} edges, ${map.steps} steps` +
      (map.truncated ? `, truncated at --max-steps ${command.maxSteps ?? DEFAULT_MAX_STEPS}: raise it to see the rest` : "") +
      (command.out === undefined ? "" : `; ${command.format} written to ${command.out}`),
  );
  if (map.nodes.some((node) => node.kind === "page") && map.nodes.every((node) => node.kind === "page" || !isStateNode(node))) {
    err("(the server reports no states: create its app with `trace: true` to see state names instead of pages)");
  }

  if (coverage !== undefined && coverageDir !== undefined) {
    err(`${coverageSummary(coverage)} (${coverage.calls} recorded calls in ${coverageDir})`);
    if (coverage.skipped.length > 0) err(`(skipped ${coverage.skipped.length} file(s) there that are not recorded walks)`);
    const unwalked = map.edges.filter((edge) => !coverage.edges.has(edgeKey(edge)));
    if (unwalked.length > 0) {
      err("Not walked:");
      for (const edge of unwalked.slice(0, UNWALKED_SHOWN)) err(`  ${describeEdge(map, edge)}`);
      if (unwalked.length > UNWALKED_SHOWN) err(`  ... and ${unwalked.length - UNWALKED_SHOWN} more`);
    }
  }

  const failing = map.edges.filter((edge) => edge.to === ERROR_ID);
  if (failing.length > 0) {
    err(`${PROGRAM}: ${failing.length} path(s) end in an application error:`);
    for (const edge of failing.slice(0, UNWALKED_SHOWN)) err(`  ${describeEdge(map, edge)}`);
    return 1;
  }
  return 0;
}
