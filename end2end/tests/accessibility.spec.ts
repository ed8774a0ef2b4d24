// Every page a person reaches, checked by axe-core against WCAG 2 A and AA (contrast among
// them), in the states people see: signed out, the inbox with a conversation open, the admin's
// pages, the widget with an answer and an agent's reply, the help center, the diagnostics page.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { AGENT1, agentMessages, openWidget, rowOfVisitor, signIn, visitorSays, widgetMessages } from "./helpers";

/** The page's WCAG 2 A/AA violations (iframes included), as "rule: target" lines. */
async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")} (${n.failureSummary ?? ""})`));
}

test("every page meets WCAG 2.1 AA, text contrast included, in the states people see", async ({ browser, baseURL }) => {
  // Every page's findings, reported together.
  const found: Record<string, string[]> = {};
  const check = async (page: Page, what: string) => {
    const lines = await violations(page);
    if (lines.length) found[what] = lines;
  };
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  const signedOut = await context.newPage();
  await signedOut.goto("/");
  await signedOut.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await check(signedOut, "the sign-in page");

  const { page: shop, widget } = await openWidget(browser, baseURL!);
  await visitorSays(widget, "What are your opening hours?");
  await expect(widgetMessages(widget).locator(".msg--ai").last()).toContainText("Tuesday to Saturday");
  const agent = await signIn(browser, baseURL!, AGENT1.email);
  await (await rowOfVisitor(agent, shop)).click();
  await agent.getByRole("button", { name: "Assign to me" }).click();
  await agent.getByRole("textbox", { name: "Message" }).fill("Hello! I can help with **that**: https://example.com");
  await agent.getByRole("textbox", { name: "Message" }).press("Enter");
  await expect(widgetMessages(widget).locator(".msg--agent")).toHaveCount(1);
  await expect(agentMessages(agent).locator(".msg--agent")).toHaveCount(1);
  await check(agent, "the inbox with a conversation open");
  await check(shop, "the shop with the widget open (its frame included)");

  for (const [path, name] of [["/knowledge", "the knowledge base"], ["/settings", "the settings"]]) {
    await agent.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: name === "the settings" ? "Settings" : "Knowledge base" }).click();
    await expect(agent).toHaveURL(new RegExp(`${path}$`));
    await agent.getByRole("heading", { level: 1 }).first().waitFor();
    await check(agent, name);
  }

  for (const path of ["/help/demo", "/help/demo/shipping", "/websocket-test", "/widget-demo"]) {
    const page = await context.newPage();
    await page.goto(path);
    await page.locator("html").waitFor();
    await check(page, path);
  }
  expect(found).toEqual({});
  for (const page of [shop, agent, signedOut]) await page.context().close();
});
