import DefaultTheme from "vitepress/theme"
import type { Theme } from "vitepress"
import BenchChart from "./BenchChart.vue"
import BenchScaling from "./BenchScaling.vue"
import BenchMeta from "./BenchMeta.vue"
import ReplayChart from "./ReplayChart.vue"
import ReplayCharts from "./ReplayCharts.vue"

// The default theme, plus the components the benchmarks page draws its charts and tables with.
export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component("BenchChart", BenchChart)
    app.component("BenchScaling", BenchScaling)
    app.component("BenchMeta", BenchMeta)
    // The incident pages' charts, drawn from the recorded runs of the replays.
    app.component("ReplayChart", ReplayChart)
    app.component("ReplayCharts", ReplayCharts)
  }
} satisfies Theme
