import { expect, test } from "@playwright/test";
import { AGENT1, AGENT2, agentMessages, openWidget, rowOfVisitor, signIn, visitorSays, widgetMessages } from "./helpers";

test("a conversation's life with two agents and a visitor: take over after asking, transfer, close, reopen, unassign", async ({
  browser,
  baseURL,
}) => {
  const alice = await signIn(browser, baseURL!, AGENT1.email);
  const bob = await signIn(browser, baseURL!, AGENT2.email);
  const { page: shop, widget } = await openWidget(browser, baseURL!);
  const header = widget.getByRole("banner");

  await visitorSays(widget, `I need a real person (${Date.now()})`);
  // The hand-over words are the assistant's message, and the header says who answers.
  await expect(widgetMessages(widget).locator(".msg--ai").last()).toContainText("Thanks, we've let the team know.");
  await expect(header).toContainText("Waiting for a team member…");

  // It waits for a person: under "Unassigned", no longer under "AI".
  const views = alice.getByRole("group", { name: "Filter" });
  await views.getByRole("button", { name: /^AI/ }).click();
  await expect(await rowOfVisitor(alice, shop)).toHaveCount(0);
  await views.getByRole("button", { name: /^Unassigned/ }).click();
  const aliceRow = await rowOfVisitor(alice, shop);
  await aliceRow.click();
  await alice.getByRole("button", { name: "Assign to me", exact: true }).click();
  await expect(header).toContainText("Connected to Alice Martin");

  // Bob takes it over, after saying yes; Alice is told.
  await (await rowOfVisitor(bob, shop)).click();
  await bob.getByRole("button", { name: "Take over", exact: true }).click();
  const confirm = bob.getByRole("group", { name: "Confirm take-over" });
  await expect(confirm).toContainText("Alice Martin has this conversation. Take it over? They will be told.");
  await confirm.getByRole("button", { name: "Take it over" }).click();
  await expect(header).toContainText("Connected to Bob Chen");
  await expect(alice.getByRole("status").filter({ hasText: "took over" })).toContainText(
    "Bob Chen took over your conversation with",
  );
  await expect(agentMessages(alice).locator(".msg--system").last()).toHaveText("Bob Chen took over from Alice Martin");

  // Bob hands it back to Alice by name; she is told.
  await bob.getByRole("combobox", { name: "Transfer to" }).selectOption({ label: AGENT1.name });
  await bob.getByRole("button", { name: "Transfer", exact: true }).click();
  await expect(header).toContainText("Connected to Alice Martin");
  await expect(alice.getByRole("status").filter({ hasText: "handed to you" })).toBeVisible();
  await expect(agentMessages(bob).locator(".msg--system").last()).toHaveText("Transferred to Alice Martin by Bob Chen");

  // Closed, then the visitor writes again: Alice has it again, and both windows say so.
  await alice.getByRole("button", { name: "Close", exact: true }).click();
  await expect(header).toContainText("This conversation is closed");
  await expect(widgetMessages(widget).locator(".msg--system").last()).toHaveText("Closed by Alice Martin");
  const bobViews = bob.getByRole("group", { name: "Filter" });
  await bobViews.getByRole("button", { name: /^Closed/ }).click();
  await expect(await rowOfVisitor(bob, shop)).toBeVisible();
  await bobViews.getByRole("button", { name: /^All open/ }).click();
  await expect(await rowOfVisitor(bob, shop)).toHaveCount(0);
  await visitorSays(widget, "Sorry, one more question");
  await expect(header).toContainText("Connected to Alice Martin");
  await expect(agentMessages(alice).locator(".msg--system").last()).toHaveText("Reopened by the visitor");
  await expect(alice.getByRole("region", { name: "Conversation view" }).getByText("Assigned to you")).toBeVisible();
  await alice.screenshot({ path: "screenshots/dashboard-lifecycle.png" });

  // Back to the queue.
  await alice.getByRole("button", { name: "Unassign", exact: true }).click();
  await expect(header).toContainText("Waiting for a team member…");
  await expect(widgetMessages(widget).locator(".msg--system").last()).toHaveText("Unassigned by Alice Martin");
  await expect(bob.getByRole("button", { name: "Assign to me", exact: true })).toBeVisible();
  await shop.screenshot({ path: "screenshots/widget-lifecycle.png" });
  for (const page of [shop, alice, bob]) await page.context().close();
});
