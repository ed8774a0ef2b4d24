// Automatic assignment as people see it: an admin switches it on in the settings, and a visitor
// who asks for a person is handed straight to the free agent with the fewest conversations,
// who is told; past the capacity the conversation waits in the queue.
import { expect, test } from "@playwright/test";
import { AGENT1, AGENT2, OwnServer, openWidget, rowOfVisitor, signIn, visitorSays } from "./helpers";

test.describe("on a server of its own", () => {
  // The demo tenant's assignment changes here: other tests take conversations by hand.
  const server = new OwnServer();
  test.beforeAll(async () => server.start());
  test.afterAll(async () => server.dispose());

  test("an admin turns on automatic assignment and conversations go to whoever is free", async ({ browser }) => {
    const alice = await signIn(browser, server.baseURL, AGENT1.email);
    await alice.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Settings" }).click();
    const form = alice.getByRole("form", { name: "Assignment" });
    const perAgent = form.getByRole("spinbutton", { name: "Conversations per agent" });
    await expect(form.getByRole("radio", { name: /Agents take them from the queue/ })).toBeChecked();
    await expect(perAgent).toBeDisabled();
    await form.getByRole("radio", { name: /Assign them automatically/ }).check();
    await perAgent.fill("0");
    await form.getByRole("button", { name: "Save assignment" }).click();
    await expect(form.getByRole("alert")).toHaveText("Conversations per agent: a whole number from 1 to 100.");
    await perAgent.fill("1");
    await form.getByRole("button", { name: "Save assignment" }).click();
    await expect(form.getByRole("status").filter({ hasText: "Saved." })).toHaveText(
      "Saved. Conversations waiting now are handed out at once.",
    );
    await form.screenshot({ path: "screenshots/dashboard-routing.png" });
    await alice.reload();
    await expect(alice.getByRole("form", { name: "Assignment" }).getByRole("radio", { name: /Assign them automatically/ })).toBeChecked();
    await alice.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Inbox" }).click();

    // Bob is busy: the visitor goes to Alice, who is told.
    const bob = await signIn(browser, server.baseURL, AGENT2.email);
    await bob.getByRole("combobox", { name: "Your status" }).selectOption("Busy");
    const { page: shop, widget } = await openWidget(browser, server.baseURL);
    await visitorSays(widget, "I need a real person, please");
    await expect(widget.getByRole("banner")).toContainText("Connected to Alice Martin");
    await expect(alice.getByRole("status").filter({ hasText: "handed to you" })).toBeVisible();
    await expect(await rowOfVisitor(alice, shop)).toContainText("Alice Martin");

    // Alice is at her capacity of one: the next visitor waits, until Bob is available.
    const { page: shop2, widget: widget2 } = await openWidget(browser, server.baseURL);
    await visitorSays(widget2, "I need a real person too");
    await expect(widget2.getByRole("banner")).toContainText("Waiting for a team member…");
    await bob.getByRole("combobox", { name: "Your status" }).selectOption("Available");
    await expect(widget2.getByRole("banner")).toContainText("Connected to Bob Chen");
    await expect(bob.getByRole("status").filter({ hasText: "handed to you" })).toBeVisible();
    for (const page of [shop, shop2, alice, bob]) await page.context().close();
  });
});
