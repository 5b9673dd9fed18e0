// An ECharts instance for a component's element: made when the component mounts (by `init`,
// which may also attach event handlers), drawn by `render`, resized when the element's size
// changes — only then: a ResizeObserver reports the size it starts with at once, already drawn —
// and disposed of with the component. The type import keeps ECharts out of the main bundle.

import { onBeforeUnmount, onMounted, shallowRef } from 'vue';
import type { Ref, ShallowRef } from 'vue';
import type { ECharts } from 'echarts/core';

export function useChartMount(
  el: Ref<HTMLDivElement | undefined>,
  init: (element: HTMLDivElement) => ECharts,
  render: () => void,
  options: { redrawOnResize?: boolean } = {},
): ShallowRef<ECharts | undefined> {
  const chart = shallowRef<ECharts>();
  let observer: ResizeObserver | null = null;
  onMounted(() => {
    const element = el.value;
    if (!element) return;
    chart.value = init(element);
    render();
    let size = `${element.clientWidth}x${element.clientHeight}`;
    observer = new ResizeObserver(() => {
      const now = el.value ? `${el.value.clientWidth}x${el.value.clientHeight}` : size;
      if (now === size) return;
      size = now;
      chart.value?.resize();
      if (options.redrawOnResize) render();
    });
    observer.observe(element);
  });
  onBeforeUnmount(() => {
    observer?.disconnect();
    chart.value?.dispose();
  });
  return chart;
}
