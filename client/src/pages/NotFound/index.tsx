import { Link } from "../../router.tsx";
import { useTitle } from "../../lib/title.ts";

export default function NotFound(props: { message?: string }) {
  useTitle(() => "Not found");
  return (
    <section class="page">
      <h1>{props.message ?? "Nothing here"}</h1>
      <p>
        <Link href="/">Back to the tasks</Link>
      </p>
    </section>
  );
}
