// A task or step name that may break across lines after its _ . - (names
// are one long word such as backup_vaultwarden: breaking anywhere would split
// "vaultwarden" in the middle).
import { For } from "solid-js";

export default function Breakable(props: { text: string }) {
  const parts = () => props.text.split(/(?<=[_.-])/);
  return <For each={parts()}>{(p, i) => (i() ? [<wbr />, p] : p)}</For>;
}
