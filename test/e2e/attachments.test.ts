// End to end in headless Chromium: a picture attached with the Attach button and another pasted
// into the composer are uploaded (chips, then ready), sent with no text, shown as previews in
// the log, and opened in the lightbox, which Escape closes, giving the focus back.
import { expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import sharp from "sharp";
import type { TestServer } from "../harness";
import { createRoomThroughForm, registerThroughForm, TEST_MS, visitor, withServerAndBrowser } from "./chromium";

let server: TestServer;
let browser: Browser;

withServerAndBrowser((started, launched) => {
  [server, browser] = [started, launched];
});

test(
  "attach with the button, paste an image, send, see the previews, open the lightbox and close it with Escape",
  async () => {
    const alice = await visitor(browser, server);
    await registerThroughForm(alice.page, "alice");
    await createRoomThroughForm(alice.page, "photos");
    const page = alice.page;

    const wide = await sharp({ create: { width: 1000, height: 500, channels: 3, background: "#16a34a" } })
      .png()
      .toBuffer();
    const chooser = page.waitForEvent("filechooser");
    await page.getByRole("button", { name: "Attach files" }).click();
    await (await chooser).setFiles({ name: "field.png", mimeType: "image/png", buffer: wide });

    const small = await sharp({ create: { width: 120, height: 80, channels: 3, background: "#dc2626" } })
      .png()
      .toBuffer();
    await page.getByRole("textbox", { name: "Message" }).evaluate(
      (textarea, bytes) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], "image.png", { type: "image/png" }));
        textarea.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
      },
      [...small],
    );

    await page.locator("#pending-uploads li[data-state=ready]").nth(1).waitFor();
    expect(await page.locator("#pending-uploads li").allTextContents()).toEqual(["field.pngRemove", "image.pngRemove"]);
    await page.getByRole("textbox", { name: "Message" }).press("Enter");

    const previews = page.locator("#messages li.message[data-seq] .attachments img");
    await previews.nth(1).waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>("#messages .attachments img")].every((img) => img.complete && img.naturalWidth > 0));
    expect(await previews.evaluateAll((images) => images.map((img) => [(img as HTMLImageElement).alt, (img as HTMLImageElement).naturalWidth]))).toEqual([
      ["field.png", 400],
      ["image.png", 120],
    ]);
    expect(await page.locator("#pending-uploads li").count()).toBe(0);

    await previews.first().click();
    const dialog = page.getByRole("dialog", { name: "Image" });
    await dialog.waitFor();
    await page.waitForFunction(() => (document.getElementById("lightbox-image") as HTMLImageElement).naturalWidth === 1000);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await page.evaluate(() => document.activeElement?.matches("a[data-lightbox]") && document.activeElement.querySelector("img")?.alt)).toBe("field.png");
    expect(alice.errors).toEqual([]);
    expect(alice.foreignRequests).toEqual([]);
  },
  TEST_MS,
);
