// Entry point: loads who is signed in, then renders the app.
import { render } from "solid-js/web";
import App from "./App.tsx";
import { loadSession } from "./session.ts";

void loadSession();
render(() => <App />, document.getElementById("root")!);
