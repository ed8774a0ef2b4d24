// Who the visitor is and where, as an agent sees it in the side panel: on the site now, the
// page they are on (following them through the shop), the site they came from, browser,
// language and local time; and in the inbox, a dot while they are on the site.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { AGENT1, rowOfVisitor, signIn, visitorSays } from "./helpers";

/** A visitor in Amsterdam, reading Dutch, who found the shop through a search engine. */
async function visitorFromSearch(browser: Browser, baseURL: string): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 1280, height: 800 },
    locale: "nl-NL",
    timezoneId: "Europe/Amsterdam",
  });
  const shop = await context.newPage();
  await shop.goto("/widget-demo", { referer: "https://search.example/?q=red+boots" });
  const widget = shop.frameLocator('iframe[title="Chat"]');
  await widget.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await shop.getByRole("button", { name: "Open chat" }).click();
  await visitorSays(widget, `Do you have red boots in size 42? (${Date.now()})`);
  return shop;
}

function panel(agent: Page) {
  return agent.getByRole("complementary", { name: "About the visitor" });
}

/** The value of the panel's row named `term`. */
function fact(agent: Page, term: string) {
  return panel(agent).locator(".visitor-panel__fact").filter({ has: agent.locator("dt", { hasText: term }) }).locator("dd");
}

test("the side panel shows where the visitor is and follows them through the shop", async ({ browser, baseURL }) => {
  const shop = await visitorFromSearch(browser, baseURL!);
  const alice = await signIn(browser, baseURL!, AGENT1.email);
  const row = await rowOfVisitor(alice, shop);
  await expect(row).toContainText("On the site now");
  await row.click();

  await expect(panel(alice)).toContainText("On the site now");
  const title = await shop.title();
  await expect(fact(alice, "Page").getByRole("link", { name: title })).toHaveAttribute("href", /\/widget-demo$/);
  await expect(fact(alice, "Came from")).toHaveText("search.example");
  await expect(fact(alice, "Browser")).toContainText(/Chrom/);
  await expect(fact(alice, "Language")).toContainText("nl-NL");
  await expect(fact(alice, "Local time")).toContainText("in Europe/Amsterdam");
  await alice.screenshot({ path: "screenshots/dashboard-visitor.png" });

  // The shop moves to another page without a reload, as a single-page shop does.
  await shop.evaluate(() => {
    history.pushState({}, "", "/widget-demo?product=red-boots");
    document.title = "Red boots · Demo shop";
  });
  const page = fact(alice, "Page").getByRole("link", { name: "Red boots · Demo shop" });
  await expect(page).toHaveAttribute("href", /product=red-boots$/);
  await expect(page).toHaveAttribute("rel", /noopener/);
  await expect(fact(alice, "Came from")).toHaveText("search.example");

  // The visitor leaves: at once, since their page said goodbye.
  await shop.context().close();
  await expect(panel(alice)).toContainText("Left the site");
  await expect(row).not.toContainText("On the site now");
  await alice.context().close();
});

test("on a phone the panel is folded above the conversation", async ({ browser, baseURL }) => {
  const shop = await visitorFromSearch(browser, baseURL!);
  const alice = await signIn(browser, baseURL!, AGENT1.email);
  const row = await rowOfVisitor(alice, shop);
  await alice.setViewportSize({ width: 390, height: 800 });
  await row.click();
  const summary = panel(alice).getByText("About the visitor");
  await expect(summary).toBeVisible();
  await expect(fact(alice, "Came from")).toBeHidden();
  await summary.click();
  await expect(fact(alice, "Came from")).toHaveText("search.example");
  await alice.screenshot({ path: "screenshots/dashboard-visitor-390.png" });
  for (const page of [shop, alice]) await page.context().close();
});
