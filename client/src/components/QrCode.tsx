// A QR code drawn in the browser as SVG from the text (the otpauth:// URI),
// so the secret never goes to a third-party image service.
import { createMemo } from "solid-js";
import { encode } from "uqr";

export default function QrCode(props: { text: string; label: string }) {
  const qr = createMemo(() => {
    const { data, size } = encode(props.text, { ecc: "M", border: 2 });
    let d = "";
    data.forEach((row, y) => row.forEach((dark, x) => dark && (d += `M${x} ${y}h1v1h-1z`)));
    return { d, size };
  });
  return (
    <svg class="qr" viewBox={`0 0 ${qr().size} ${qr().size}`} role="img" aria-label={props.label} shape-rendering="crispEdges">
      <rect width="100%" height="100%" class="qr-bg" />
      <path d={qr().d} class="qr-fg" />
    </svg>
  );
}
