// Two static pages from one source tree; every asset is bundled, nothing is fetched from elsewhere at run time.
import { resolve } from "node:path";
import { defineConfig } from "vite";

const src = resolve(import.meta.dirname, "src");

export default defineConfig({
  root: src,
  base: "/",
  build: {
    outDir: resolve(import.meta.dirname, "dist"),
    emptyOutDir: true,
    // No inline scripts or styles: the content security policy allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        console: resolve(src, "console/index.html"),
        finance: resolve(src, "finance/index.html"),
      },
    },
  },
});
