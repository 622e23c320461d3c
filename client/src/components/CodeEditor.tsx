// CodeMirror 6 with Python and shell highlighting. Loaded lazily by the
// Scripts page so the main bundle stays small. Colours come from CSS
// variables (styles/code.css), so light and dark themes both work.
import { onCleanup, onMount } from "solid-js";
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars, keymap, lineNumbers } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { HighlightStyle, StreamLanguage, bracketMatching, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
import { python } from "@codemirror/lang-python";
import { shell } from "@codemirror/legacy-modes/mode/shell";
import { tags as t } from "@lezer/highlight";

import type { Lang } from "../lib/lang.ts";

const colours = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword, t.operatorKeyword], color: "var(--cm-keyword)" },
  { tag: [t.string, t.special(t.string)], color: "var(--cm-string)" },
  { tag: [t.comment, t.lineComment, t.blockComment], color: "var(--cm-comment)", fontStyle: "italic" },
  { tag: [t.number, t.bool, t.null, t.atom], color: "var(--cm-number)" },
  { tag: [t.function(t.variableName), t.function(t.propertyName), t.definition(t.variableName)], color: "var(--cm-def)" },
  { tag: [t.variableName, t.special(t.variableName)], color: "var(--cm-var)" },
  { tag: [t.className, t.typeName, t.standard(t.variableName)], color: "var(--cm-type)" },
  { tag: [t.meta, t.processingInstruction], color: "var(--cm-comment)" },
]);

const theme = EditorView.theme({
  "&": { color: "var(--fg)", backgroundColor: "var(--code-bg)", fontSize: "14px", height: "100%" },
  ".cm-content": { fontFamily: "var(--mono)", caretColor: "var(--fg)" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.5" },
  ".cm-gutters": { backgroundColor: "var(--code-bg)", color: "var(--muted)", border: "none" },
  ".cm-activeLine, .cm-activeLineGutter": { backgroundColor: "var(--code-active)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": { backgroundColor: "var(--code-sel) !important" },
  "&.cm-focused": { outline: "2px solid var(--focus)" },
  ".cm-cursor": { borderLeftColor: "var(--fg)" },
});

function language(lang: Lang): Extension {
  if (lang === "python") return python();
  if (lang === "shell") return StreamLanguage.define(shell);
  return [];
}

/** What the page can ask of the editor (reading a 1 MiB doc on every key would be wasteful). */
export interface EditorHandle {
  doc: () => string;
  gotoLine: (line: number) => void;
}

export default function CodeEditor(props: {
  doc: string;
  lang: Lang;
  label: string;
  onEdit: () => void;
  onSave: () => void;
  onReady: (h: EditorHandle) => void;
}) {
  let host!: HTMLDivElement;
  let view: EditorView | undefined;
  onMount(() => {
    // CodeMirror injects its styles at run time. In a document it does so with
    // a <style> element, which our CSP (style-src 'self') blocks; in a shadow
    // root it uses a constructed stylesheet (adoptedStyleSheets), which CSP
    // allows. So the editor lives in a shadow root; our CSS variables still
    // reach it, as custom properties inherit into shadow trees.
    const shadow = host.attachShadow({ mode: "open" });
    const mount = document.createElement("div");
    mount.style.height = "100%"; // CSSOM, not a style attribute: allowed by the CSP
    shadow.appendChild(mount);
    view = new EditorView({
      root: shadow,
      parent: mount,
      state: EditorState.create({
        doc: props.doc,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightSpecialChars(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          highlightActiveLine(),
          highlightSelectionMatches(),
          search({ top: true }),
          syntaxHighlighting(colours),
          language(props.lang),
          theme,
          EditorView.contentAttributes.of({ "aria-label": props.label }),
          keymap.of([
            { key: "Mod-s", preventDefault: true, run: () => (props.onSave(), true) },
            ...defaultKeymap,
            ...historyKeymap,
            ...searchKeymap,
            indentWithTab,
          ]),
          EditorView.updateListener.of((u) => u.docChanged && props.onEdit()),
        ],
      }),
    });
    const v = view;
    props.onReady({
      doc: () => v.state.doc.toString(),
      gotoLine: (n) => {
        const line = v.state.doc.line(Math.min(Math.max(1, n), v.state.doc.lines));
        v.dispatch({ selection: { anchor: line.from }, scrollIntoView: true });
        v.focus();
      },
    });
  });
  onCleanup(() => view?.destroy());
  return <div class="code-editor" ref={host} />;
}
