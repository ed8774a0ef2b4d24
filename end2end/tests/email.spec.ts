// Replies reach a visitor who left, as people see it: nobody is in, the visitor leaves an email
// address and goes; the agent's reply arrives by email (at a real SMTP server on loopback), and
// its link opens the conversation again, with the reply in it.
import { expect, test } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { resolve } from "node:path";
import { AGENT1, OwnServer, freePort, openWidget, rowOfVisitor, signIn, visitorSays } from "./helpers";

/** tests/smtp/sink.py: each email it takes, as JSON. */
class SmtpSink {
  private child?: ChildProcess;
  private readonly lines: Record<string, unknown>[] = [];
  private waiting?: () => void;

  async start(port: number) {
    this.child = spawn("/usr/bin/python3", [resolve("../tests/smtp/sink.py"), String(port)], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      this.lines.push(JSON.parse(line));
      this.waiting?.();
    });
    await this.next();
  }

  async next(): Promise<Record<string, unknown>> {
    while (this.lines.length === 0) await new Promise<void>((done) => (this.waiting = done));
    return this.lines.shift()!;
  }

  stop() {
    this.child?.kill();
  }
}

test.describe("with email on", () => {
  const sink = new SmtpSink();
  let server: OwnServer;
  test.beforeAll(async () => {
    const port = await freePort();
    await sink.start(port);
    server = new OwnServer([
      "--smtp-url", `smtp://127.0.0.1:${port}`,
      "--email-from", "Northwind Support <help@northwind.example>",
      "--email-batch-secs", "1",
    ]);
    await server.start();
  });
  test.afterAll(async () => {
    await server.dispose();
    sink.stop();
  });

  test("the reply reaches a visitor who left, and its link opens the conversation", async ({ browser }) => {
    // Nobody is in: the widget asks where the reply should go, and says it will go there.
    const { page: shop, widget } = await openWidget(browser, server.baseURL);
    await visitorSays(widget, "I need a real person. Has my parcel left?");
    const contact = widget.getByRole("form", { name: "Leave your email" });
    await contact.getByRole("textbox", { name: /Leave your email/ }).fill("dana@example.com");
    await contact.getByRole("button", { name: "Send" }).click();
    await expect(widget.getByRole("status").filter({ hasText: "Thanks" })).toHaveText(
      "Thanks: if you have left when the team replies, the reply goes to dana@example.com.",
    );
    const alice = await signIn(browser, server.baseURL, AGENT1.email);
    const row = await rowOfVisitor(alice, shop);
    await shop.context().close();

    await row.click();
    await alice.getByRole("button", { name: "Assign to me", exact: true }).click();
    const box = alice.getByRole("textbox", { name: "Message" });
    await box.fill("It left this morning: tracking NL123.");
    await box.press("Enter");

    const email = await sink.next();
    expect(email.to).toEqual(["dana@example.com"]);
    expect(String(email.subject)).toMatch(/ replied to your message$/);
    const text = String(email.text);
    expect(text).toContain("It left this morning: tracking NL123.");
    const link = text.match(/http:\/\/\S+resume=\S+/)![0];

    // Days later, on another device: the link opens the conversation, reply and all.
    const later = await (await browser.newContext({ viewport: { width: 390, height: 760 } })).newPage();
    await later.goto(link);
    await later.locator("html[data-hydrated]").waitFor({ state: "attached" });
    const thread = later.getByRole("list", { name: "Conversation" });
    await expect(thread).toContainText("It left this morning: tracking NL123.");
    await expect(thread).toContainText("Has my parcel left?");
    await expect(later, "the key leaves the address bar").toHaveURL(/\/widget\/demo$/);
    await later.screenshot({ path: "screenshots/widget-from-email.png" });
    const reply = later.getByRole("textbox", { name: "Message" });
    await reply.fill("Thanks! That was quick.");
    await reply.press("Enter");
    await expect(alice.getByRole("region", { name: "Conversation view" })).toContainText("Thanks! That was quick.");
    for (const page of [later, alice]) await page.context().close();
  });
});
