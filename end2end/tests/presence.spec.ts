// Presence as people see it: the team list with who is online, away, busy or gone; each agent
// sets their own status; the widget tells the visitor whether a person can join now.
import { expect, test } from "@playwright/test";
import { AGENT1, AGENT2, OwnServer, openWidget, signIn, visitorSays } from "./helpers";

test.describe("on a server of its own", () => {
  // Who is signed in is the whole point: no other test's agents here.
  const server = new OwnServer();
  test.beforeAll(async () => server.start());
  test.afterAll(async () => server.dispose());

  test("the team sees who is at their desk, and the widget whether a person can join", async ({ browser }) => {
    const { page: shop, widget } = await openWidget(browser, server.baseURL);
    const header = widget.getByRole("banner");
    await expect(header).toContainText("AI assistant · the team is away right now");

    const alice = await signIn(browser, server.baseURL, AGENT1.email);
    // Opened again, the widget asks; once the visitor writes, its socket keeps it live.
    await shop.getByRole("button", { name: "Close chat" }).click();
    await shop.getByRole("button", { name: "Open chat" }).click();
    await expect(header).toContainText("AI assistant · a person can join");
    await visitorSays(widget, "Hello there");
    const team = alice.getByRole("region", { name: "Team" });
    const bobRow = team.getByRole("listitem").filter({ hasText: AGENT2.name });
    await expect(bobRow).toContainText("Offline");

    const bob = await signIn(browser, server.baseURL, AGENT2.email);
    await expect(bobRow).toContainText("Online");
    await bob.getByRole("combobox", { name: "Your status" }).selectOption("Busy");
    await expect(bobRow).toContainText("Online · Busy");
    await bob.getByRole("combobox", { name: "Your status" }).selectOption("Away");
    await expect(bobRow).toContainText("Away");
    await alice.screenshot({ path: "screenshots/dashboard-team.png" });
    // A reload keeps what Bob said about himself.
    await bob.reload();
    await expect(bob.getByRole("combobox", { name: "Your status" })).toHaveValue("away");
    await bob.context().close();
    await expect(bobRow).toContainText("Offline");

    // Alice busy: nobody can join now, and the widget says so.
    await alice.getByRole("combobox", { name: "Your status" }).selectOption("Busy");
    await expect(header).toContainText("AI assistant · the team is away right now");
    await alice.getByRole("combobox", { name: "Your status" }).selectOption("Available");
    await expect(header).toContainText("AI assistant · a person can join");
    await shop.screenshot({ path: "screenshots/widget-team-available.png" });
    for (const page of [shop, alice]) await page.context().close();
  });
});
