// Looking back from the desk: searching every message and landing on the one found (also one
// a page back in a long conversation), a visitor's other conversations in the side panel, and
// the transcript as a file.
import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { AGENT1, OwnServer, agentMessages, inboxRow, signIn } from "./helpers";

const QUIET = ["--ai", "off", "--rate-start-ip", "off", "--rate-message-ip", "off", "--rate-session-chat", "off"];

type Started = { sessionKey: string; sessionId: string; visitorKey?: string };

async function call(base: string, path: string, body: unknown) {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return response.json();
}

/** A visitor who wrote `lines`; with `visitorKey`, the same visitor as an earlier conversation. */
async function visitor(base: string, name: string, lines: string[], visitorKey?: string): Promise<Started> {
  const started = (await call(base, "/api/v1/chat/public/start", {
    widgetKey: "demo",
    visitor: { name },
    ...(visitorKey ? { visitorKey } : {}),
  })) as Started;
  for (const content of lines) {
    await call(base, "/api/v1/chat/public/message", { sessionKey: started.sessionKey, content });
  }
  return started;
}

function searchBox(page: Page) {
  return page.getByRole("search").getByRole("searchbox", { name: "Search conversations" });
}

/** Searches with Enter, as an agent would. */
async function searchFor(page: Page, text: string) {
  const box = searchBox(page);
  await box.fill(text);
  await box.press("Enter");
  return page.getByRole("region", { name: `Results for “${text}”` });
}

function panel(page: Page) {
  return page.getByRole("complementary", { name: "About the visitor" });
}

test.describe("looking back", () => {
  const server = new OwnServer(QUIET);
  let kettle: Started;
  let sam: Started;
  let samAgain: Started;
  test.beforeAll(async () => {
    await server.start();
    const base = server.baseURL;
    await visitor(base, "Piet", ["Where is my parcel to Rotterdam?"]);
    kettle = await visitor(base, "Dana", ["I want a refund for the blue kettle"]);
    const later = Array.from({ length: 129 }, (_, i) => `line ${i + 2}`);
    await visitor(base, "Long Talker", ["My first order was a zebra-striped teapot", ...later]);
    sam = await visitor(base, "Sam", ["Hello, my saucer arrived chipped"]);
    expect(sam.visitorKey).toBeTruthy();
    samAgain = await visitor(base, "Sam", ["Back again: the replacement saucer is chipped too"], sam.visitorKey);
  });
  test.afterAll(async () => server.dispose());

  test("a search finds the message, opens its conversation at it, and clears back to the inbox", async ({ browser }) => {
    const agent = await signIn(browser, server.baseURL, AGENT1.email);
    const results = await searchFor(agent, "kettle");
    await expect(results.getByRole("status")).toHaveText("1 message matches.");
    const hits = results.getByRole("listitem");
    await expect(hits).toHaveCount(1);
    await expect(hits.locator("mark")).toHaveText("kettle");
    await expect(hits).toContainText("Dana");
    await expect(hits).toContainText("Visitor:");
    // The results take the inbox list's place.
    await expect(inboxRow(agent, "Where is my parcel to Rotterdam?")).toBeHidden();

    await hits.getByRole("button").click();
    await expect(agent).toHaveURL(new RegExp(`/conversations/${kettle.sessionId}$`));
    const found = agentMessages(agent).locator(".msg", { hasText: "I want a refund for the blue kettle" });
    await expect(found).toHaveClass(/message--found/);
    await expect(found).toBeFocused();
    await expect(found).toBeInViewport();
    await agent.screenshot({ path: "screenshots/dashboard-search.png" });

    const none = await searchFor(agent, "nothingmatchesthis");
    await expect(none.getByRole("status")).toHaveText("No messages match “nothingmatchesthis”.");
    await expect(none.getByRole("listitem")).toHaveCount(0);

    await agent.getByRole("button", { name: "Clear search" }).click();
    await expect(agent.getByRole("region", { name: /^Results for/ })).toHaveCount(0);
    await expect(inboxRow(agent, "Where is my parcel to Rotterdam?")).toBeVisible();
    await expect(searchBox(agent)).toHaveValue("");
    await expect(searchBox(agent)).toBeFocused();

    // Escape in the box clears too.
    const parcel = await searchFor(agent, "parcel");
    await expect(parcel.getByRole("listitem")).toHaveCount(1);
    await searchBox(agent).press("Escape");
    await expect(parcel).toHaveCount(0);
    await expect(inboxRow(agent, "Where is my parcel to Rotterdam?")).toBeVisible();
    await agent.context().close();
  });

  test("a result a page back in a long conversation loads the earlier messages and lands on it", async ({ browser }) => {
    const agent = await signIn(browser, server.baseURL, AGENT1.email);
    const results = await searchFor(agent, "teapot");
    await expect(results.getByRole("listitem")).toHaveCount(1);
    await results.getByRole("button", { name: /teapot/ }).click();
    const thread = agentMessages(agent);
    const first = thread.locator(".msg", { hasText: "My first order was a zebra-striped teapot" });
    await expect(first).toHaveClass(/message--found/);
    await expect(first).toBeInViewport();
    await expect(first).toBeFocused();
    // The newest ones are there as well: the whole conversation, without a gap.
    await expect(thread.getByText("line 130", { exact: true })).toBeAttached();
    await expect(thread.locator(".msg")).toHaveCount(130);
    await agent.context().close();
  });

  test("the side panel lists the visitor's other conversations and opens them", async ({ browser }) => {
    const agent = await signIn(browser, server.baseURL, AGENT1.email);
    await agent.locator(`.inbox__row[data-session-id="${samAgain.sessionId}"]`).click();
    const others = panel(agent).getByRole("region", { name: "Conversations" });
    await expect(others.getByRole("button")).toHaveCount(1);
    await others.getByRole("button", { name: /my saucer arrived chipped/ }).click();
    await expect(agent).toHaveURL(new RegExp(`/conversations/${sam.sessionId}$`));
    await expect(agentMessages(agent).getByText("Hello, my saucer arrived chipped")).toBeVisible();
    await expect(others.getByRole("button", { name: /replacement saucer is chipped too/ })).toBeVisible();
    // An anonymous visitor is no verified customer; this one has no other conversation.
    await expect(panel(agent).getByText(/Verified customer/)).toHaveCount(0);
    await inboxRow(agent, "Where is my parcel to Rotterdam?").click();
    await expect(panel(agent).getByText("No other conversations.")).toBeVisible();
    await agent.context().close();
  });

  test("the transcript downloads as a file, with the agent's sign-in", async ({ browser }) => {
    const agent = await signIn(browser, server.baseURL, AGENT1.email);
    await inboxRow(agent, "Where is my parcel to Rotterdam?").click();
    const transcript = agent.getByRole("group", { name: "Transcript" });
    const text = agent.waitForEvent("download");
    await transcript.getByRole("button", { name: "Download transcript" }).click();
    const file = await text;
    expect(file.suggestedFilename()).toMatch(/^conversation.*\.txt$/);
    expect(readFileSync(await file.path(), "utf8")).toContain("Where is my parcel to Rotterdam?");

    await transcript.getByRole("combobox", { name: "Transcript format" }).selectOption({ label: "JSON" });
    const json = agent.waitForEvent("download");
    await transcript.getByRole("button", { name: "Download transcript" }).click();
    const exported = JSON.parse(readFileSync(await (await json).path(), "utf8"));
    expect(exported.messages.map((m: { content: string }) => m.content)).toContain("Where is my parcel to Rotterdam?");
    await agent.context().close();
  });

  test("on a phone, a result opens the conversation and the way back leads to the results", async ({ browser }) => {
    const agent = await signIn(browser, server.baseURL, AGENT1.email);
    await agent.setViewportSize({ width: 390, height: 800 });
    const results = await searchFor(agent, "parcel");
    await results.getByRole("button", { name: /parcel to Rotterdam/ }).click();
    const found = agentMessages(agent).locator(".msg", { hasText: "Where is my parcel to Rotterdam?" });
    await expect(found).toHaveClass(/message--found/);
    await expect(found).toBeInViewport();
    await expect(results).toBeHidden();
    await agent.getByRole("link", { name: "← All conversations" }).click();
    await expect(agent.getByRole("region", { name: "Results for “parcel”" })).toBeVisible();
    await agent.context().close();
  });
});
