// The route table. The grid and the login page are in the main bundle; every
// other page is its own chunk, loaded on first visit.
import { lazy, type Component } from "solid-js";
import TasksPage from "./pages/Tasks/index.tsx";
import LoginPage from "./pages/Login/index.tsx";

export type PageProps = { params: Record<string, string> };

export interface Route {
  path: string;
  view: Component<PageProps>;
  /** reachable signed out */
  public?: boolean;
  /** only for signed-out visitors (signed-in ones go home) */
  guest?: boolean;
  admin?: boolean;
}

export const routes: Route[] = [
  { path: "/", view: TasksPage },
  { path: "/login", view: LoginPage, public: true, guest: true },
  { path: "/set-password", view: lazy(() => import("./pages/SetPassword/index.tsx")), public: true },
  { path: "/about", view: lazy(() => import("./pages/About/index.tsx")), public: true },
  { path: "/tasks/new", view: lazy(() => import("./pages/TaskEdit/index.tsx")), admin: true },
  { path: "/tasks/:name/edit", view: lazy(() => import("./pages/TaskEdit/index.tsx")), admin: true },
  { path: "/tasks/:name", view: lazy(() => import("./pages/Task/index.tsx")) },
  { path: "/runs/:id", view: lazy(() => import("./pages/RunRedirect/index.tsx")) },
  { path: "/pools", view: lazy(() => import("./pages/Pools/index.tsx")) },
  { path: "/nodes", view: lazy(() => import("./pages/Nodes/index.tsx")) },
  { path: "/variables", view: lazy(() => import("./pages/Variables/index.tsx")) },
  { path: "/scripts", view: lazy(() => import("./pages/Scripts/index.tsx")), admin: true },
  { path: "/packages", view: lazy(() => import("./pages/Packages/index.tsx")), admin: true },
  { path: "/users", view: lazy(() => import("./pages/Users/index.tsx")), admin: true },
  { path: "/profile", view: lazy(() => import("./pages/Profile/index.tsx")) },
  { path: "/audit", view: lazy(() => import("./pages/Audit/index.tsx")), admin: true },
  { path: "/settings", view: lazy(() => import("./pages/Settings/index.tsx")), admin: true },
];
