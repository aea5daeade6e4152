/* 拉练: the side-by-side bar chart of the chosen parks (ECharts; data from #compare-data). */
(function () {
  "use strict";
  var holder = document.getElementById("compare-chart");
  var source = document.getElementById("compare-data");
  if (!holder || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" }, legend: { top: 0 },
    grid: { left: 60, right: 20, top: 40, bottom: 60 },
    xAxis: { type: "category", data: data.parks, axisLabel: { interval: 0, rotate: data.parks.length > 4 ? 20 : 0 } },
    yAxis: { type: "value" },
    series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
  });
  holder.setAttribute("data-ready", "1");
  window.addEventListener("resize", function () { chart.resize(); });
})();
