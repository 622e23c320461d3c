import { expect, test } from "bun:test";
import { WireReader, wireFraming, type WireFrame } from "./logwire.ts";

const step = { position: 1, name: "s", status: "success" } as never;

test("frames cut anywhere (here byte by byte) read back as sent, the end with its step", () => {
  const sent = [wireFraming.data(Buffer.from("hello ")), wireFraming.data(Buffer.from("wörld\n")), wireFraming.data(new Uint8Array(0)), wireFraming.end(step)];
  const body = Buffer.concat(sent);
  for (const size of [1, 3, 7, body.length]) {
    const reader = new WireReader();
    const got: WireFrame[] = [];
    for (let at = 0; at < body.length; at += size) got.push(...reader.push(body.subarray(at, at + size)));
    expect(got.map((f) => ("data" in f ? Buffer.from(f.data).toString() : f))).toEqual(["hello ", "wörld\n", "", { end: step }]);
  }
});

test("a body that is not frames is refused, not read as a log", () => {
  expect(() => new WireReader().push(Buffer.from("<html>not frames</html>"))).toThrow(/not a log frame/);
});
