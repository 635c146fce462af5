"""The browser app (SolaraViz-style, served with `python -m sim serve`).

- `app` — the Solara page: network, live plots, controls, current-model panel, Compare tab;
- `network_view` — district and street views of the governance network: layouts computed
  once, pictures drawn each month;
- `plots` — Vega-Lite specifications of the live and comparison plots;
- `controls` — the policy levers and world size as inputs, seeds, a session's settings;
- `compare` — two runs on the same seed;
- `i18n` — English and Chinese labels;
- `browser` — start the server and headless Chromium (tests, screenshot, speed check);
- `screenshot`, `perf` — `python -m sim.interfaces.browser.screenshot FILE`, `python -m sim.interfaces.browser.perf`.

The model knows nothing about this package.
"""
