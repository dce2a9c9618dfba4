// client.mjs drives Orchard's MCP server with the official TypeScript SDK
// client: node client.mjs http URL | node client.mjs stdio COMMAND ARGS...
// It lists the tools, calls add, a panicking tool, a tool with progress and
// (when offered) the batch agent's action batch.run, and prints one JSON
// line with what it saw.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [kind, ...rest] = process.argv.slice(2);
const transport = kind === "http"
  ? new StreamableHTTPClientTransport(new URL(rest[0]))
  : new StdioClientTransport({ command: rest[0], args: rest.slice(1) });
const client = new Client({ name: "orchard-ts-test", version: "1.0.0" });
await client.connect(transport);
const tools = (await client.listTools()).tools.map((t) => t.name).sort();
const add = await client.callTool({ name: "add", arguments: { a: 2, b: 40 } });
const panics = await client.callTool({ name: "panics", arguments: {} });
const progress = [];
const slow = await client.callTool({ name: "slow", arguments: { steps: 3, ms: 30 } }, undefined, {
  onprogress: (p) => progress.push(p.progress),
});
// The server may deliver the last notification just after the result:
// wait for it, for at most two seconds.
for (let i = 0; i < 200 && progress.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
// An agent's action as a tool (orchard mcp serves the demo's agents).
const agentProgress = [];
const agent = tools.includes("batch.run")
  ? await client.callTool({ name: "batch.run", arguments: { steps: 2, ms: 30 } }, undefined, {
    onprogress: (p) => agentProgress.push(p.progress),
  })
  : null;
for (let i = 0; i < 200 && agent && agentProgress.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
console.log(JSON.stringify({
  protocol: transport.protocolVersion ?? null,
  tools,
  add: add.content[0].text,
  panicsIsError: panics.isError === true,
  slow: slow.content[0].text,
  progress,
  agent: agent ? agent.content[0].text : null,
  agentProgress,
}));
await client.close();
