/* The district choropleth and the project map (ECharts, the vendored Quanzhou GeoJSON). */
(function () {
  "use strict";
  var GREY = "#d5dae3";

  function loadGeo(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error("GeoJSON " + r.status); }
      return r.json();
    });
  }

  function fmt(value, overall) {
    if (value === null || value === undefined) { return "—"; }
    if (overall) { return (value > 0 ? "+" : value < 0 ? "−" : "") + Math.abs(value).toFixed(2); }
    return value.toFixed(2) + "%";
  }

  function districtMap(el) {
    var data = JSON.parse(document.getElementById("district-map-data").textContent);
    var dark = el.dataset.theme === "dark";
    var texts = { rank: el.dataset.textRank, notReporting: el.dataset.textNotReporting, failed: el.dataset.textFailed };
    var byName = {};
    data.items.forEach(function (item) { byName[item.name] = item; });
    loadGeo(el.dataset.geo).then(function (geo) {
      echarts.registerMap("quanzhou", geo);
      var chart = echarts.init(el, null, { renderer: "canvas" });
      var seriesData = geo.features.map(function (f) {
        var item = byName[f.properties.name];
        var value = item && item.value !== null ? item.value : null;
        return {
          name: f.properties.name,
          value: value,
          item: item || null,
          itemStyle: value === null ? { areaColor: dark ? "#3a4456" : GREY } : undefined,
        };
      });
      var pieces = data.overall
        ? [{ lt: -15, color: "#c8102e" }, { gte: -15, lt: -5, color: "#e8833a" }, { gte: -5, lt: 0, color: "#f2c14e" },
           { gte: 0, lt: 5, color: "#8cc084" }, { gte: 5, color: "#1a7f4b" }]
        : [{ lt: 60, color: "#c8102e" }, { gte: 60, lt: 85, color: "#e8833a" }, { gte: 85, lt: 100, color: "#f2c14e" },
           { gte: 100, color: "#1a7f4b" }];
      var ink = dark ? "#e8eef8" : "#1d2433";
      chart.setOption({
        animation: false,
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            var item = p.data && p.data.item;
            if (!item) { return p.name; }
            if (!item.reporting) { return item.label + "<br>" + (texts.notReporting || ""); }
            var line = item.label + "<br>" + data.label + "：" + fmt(item.value, data.overall);
            if (item.rank) { line += "<br>" + (texts.rank || "#") + " " + item.rank; }
            return line;
          },
        },
        visualMap: {
          type: "piecewise", pieces: pieces, left: 8, bottom: 8, orient: "vertical",
          textStyle: { color: ink, fontSize: dark ? 16 : 12 }, itemWidth: dark ? 22 : 14, itemHeight: dark ? 16 : 10,
          formatter: function (a, b) {
            var unit = data.overall ? "" : "%";
            if (a === -Infinity || a === undefined || a === null) { return "< " + b + unit; }
            if (b === Infinity || b === undefined || b === null) { return "≥ " + a + unit; }
            return a + " – " + b + unit;
          },
        },
        series: [{
          type: "map", map: "quanzhou", roam: false, selectedMode: false,
          layoutCenter: ["55%", "50%"], layoutSize: "100%",
          label: {
            show: true, color: ink, fontSize: dark ? 18 : 12, fontWeight: dark ? "bold" : "normal",
            textBorderColor: dark ? "#0b1526" : "#fff", textBorderWidth: 2,
            formatter: function (p) {
              var item = p.data && p.data.item;
              var name = item ? item.label : p.name;
              if (!item || !item.reporting) { return name; }
              return name + "\n" + fmt(item.value, data.overall);
            },
          },
          itemStyle: { borderColor: dark ? "#0b1526" : "#fff", borderWidth: 1.2 },
          emphasis: { label: { color: ink }, itemStyle: { areaColor: dark ? "#5b7bb5" : "#9db4d6" } },
          data: seriesData,
        }],
      });
      chart.on("click", function (p) {
        var item = p.data && p.data.item;
        if (item && item.reporting) {
          window.location.href = el.dataset.regionUrl.replace("CODE", encodeURIComponent(item.code));
        }
      });
      window.addEventListener("resize", function () { chart.resize(); });
      el.dataset.ready = "1";
    }).catch(function (err) {
      el.dataset.error = String(err);
      el.textContent = texts.failed || "Map failed to load";
    });
  }

  function projectMap(el) {
    var points = JSON.parse(document.getElementById("project-points").textContent);
    var labels = JSON.parse(document.getElementById("stage-labels").textContent);
    var colours = { planned: "#8a94a6", signed: "#2c5fa8", landed: "#0b6aa2", started: "#d9822b",
      completed: "#1a7f4b", operating: "#0f5e36", suspended: "#c8102e" };
    loadGeo(el.dataset.geo).then(function (geo) {
      echarts.registerMap("quanzhou", geo);
      var chart = echarts.init(el);
      var byStage = {};
      points.forEach(function (p) { (byStage[p[5]] = byStage[p[5]] || []).push(p); });
      var series = Object.keys(colours).filter(function (s) { return byStage[s]; }).map(function (stage) {
        return {
          name: labels[stage] || stage, type: "scatter", coordinateSystem: "geo", large: byStage[stage].length > 2000,
          symbolSize: function (v) { return Math.max(4, Math.min(16, 3 + Math.sqrt(v[6]) * 1.6)); },
          itemStyle: { color: colours[stage], opacity: 0.78, borderColor: "#fff", borderWidth: 0.5 },
          data: byStage[stage].map(function (p) { return { value: [p[0], p[1], p[2], p[3], p[4], p[5], p[6]] }; }),
        };
      });
      chart.setOption({
        animation: false,
        legend: { top: 8, left: 8, orient: "vertical", backgroundColor: "rgba(255,255,255,.85)", padding: 8 },
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            var v = p.value;
            return v[3] + "<br><strong>" + v[4] + "</strong><br>" + (labels[v[5]] || v[5]) + " · " + v[6].toFixed(2) + " " + (el.dataset.yi || "");
          },
        },
        geo: {
          map: "quanzhou", roam: true, layoutCenter: ["50%", "50%"], layoutSize: "100%",
          itemStyle: { areaColor: "#eef2f8", borderColor: "#9aaac2" },
          emphasis: { itemStyle: { areaColor: "#dfe7f3" }, label: { show: false } },
          label: { show: true, color: "#5f6b7d", fontSize: 11 },
        },
        series: series,
      });
      chart.on("click", function (p) {
        if (p.value && p.value[2]) {
          window.location.href = el.dataset.projectUrl.replace("/0/", "/" + p.value[2] + "/");
        }
      });
      window.addEventListener("resize", function () { chart.resize(); });
      el.dataset.ready = "1";
    }).catch(function (err) {
      el.dataset.error = String(err);
    });
  }

  var d = document.getElementById("district-map");
  if (d) { districtMap(d); }
  var p = document.getElementById("project-map");
  if (p) { projectMap(p); }

  // The 大屏's clock (hours:minutes), kept current between the page's reloads.
  var clock = document.getElementById("screen-clock");
  if (clock) {
    setInterval(function () {
      var now = new Date();
      clock.textContent = String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
    }, 10000);
  }
})();
