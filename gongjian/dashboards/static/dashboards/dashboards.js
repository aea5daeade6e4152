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

  // ECharts renders a tooltip's string as HTML: every text from the data (project names and
  // codes that users typed, region names) is escaped before it goes in.
  function esc(value) {
    return String(value === undefined || value === null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // Figures arrive formatted by the server (core.formatting): the script never formats a number.
  function fmt(item, long) {
    if (!item) { return "—"; }
    return (long ? item.tooltip : item.text) || "—";
  }

  // The urban districts (and 石狮, whose label would sit on 晋江's) are too small for a label
  // inside: theirs stand in a column over the sea to the east, each joined to its district by a
  // line, one below the other in the districts' north-to-south order, so that they never overlap.
  var CALLOUTS = ["洛江区", "鲤城区", "丰泽区", "石狮市"];

  function calloutGraphics(chart, geo, byName, opts) {
    var anchors = [];
    geo.features.forEach(function (f) {
      if (CALLOUTS.indexOf(f.properties.name) === -1 || !f.properties.cp) { return; }
      var at = chart.convertToPixel({ seriesIndex: 0 }, f.properties.cp);
      if (at) { anchors.push({ name: f.properties.name, at: at }); }
    });
    anchors.sort(function (a, b) { return a.at[1] - b.at[1]; });
    var x = chart.getWidth() - 8 - opts.width;
    var gap = opts.fontSize * 2 + 16;
    var top = anchors.length ? anchors[0].at[1] - gap / 2 : 0;
    top = Math.max(8, Math.min(top, chart.getHeight() - 8 - gap * anchors.length));
    var elements = [];
    anchors.forEach(function (a, i) {
      var y = top + i * gap;
      var text = opts.text(a.name, byName[a.name]);
      elements.push({
        type: "polyline", silent: true, z: 10,
        shape: { points: [a.at, [x - 10, y + opts.fontSize], [x - 2, y + opts.fontSize]] },
        style: { stroke: opts.ink, lineWidth: 1, fill: null },
      });
      elements.push({
        type: "circle", silent: true, z: 10, shape: { cx: a.at[0], cy: a.at[1], r: 2.5 },
        style: { fill: opts.ink },
      });
      elements.push({
        type: "text", z: 11, x: x, y: y, name: a.name,
        style: { text: text, fill: opts.ink, font: (opts.bold ? "bold " : "") + opts.fontSize + "px sans-serif",
          stroke: opts.halo, lineWidth: 3, lineHeight: opts.fontSize + 2, verticalAlign: "top" },
      });
    });
    return elements;
  }

  function districtMap(el) {
    var data = JSON.parse(document.getElementById("district-map-data").textContent);
    var dark = el.dataset.theme === "dark";
    var texts = { rank: el.dataset.textRank, notReporting: el.dataset.textNotReporting, failed: el.dataset.textFailed,
      notStarted: el.dataset.textNotStarted };
    // A target whose period has not begun has no figure yet: it says so (未开始), never 0.
    function figure(item, long) {
      if (item.status === "not_started" && texts.notStarted) { return texts.notStarted; }
      return fmt(item, long);
    }
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
          label: CALLOUTS.indexOf(f.properties.name) !== -1 ? { show: false } : undefined,
        };
      });
      var pieces = data.overall
        ? [{ lt: -15, color: "#c8102e" }, { gte: -15, lt: -5, color: "#e8833a" }, { gte: -5, lt: 0, color: "#f2c14e" },
           { gte: 0, lt: 5, color: "#8cc084" }, { gte: 5, color: "#1a7f4b" }]
        : [{ lt: 60, color: "#c8102e" }, { gte: 60, lt: 85, color: "#e8833a" }, { gte: 85, lt: 100, color: "#f2c14e" },
           { gte: 100, color: "#1a7f4b" }];
      var ink = dark ? "#e8eef8" : "#1d2433";
      function labelText(name, item) {
        if (!item) { return name; }
        if (!item.reporting) { return item.label; }
        return item.label + "\n" + figure(item);
      }
      var calloutOpts = { ink: ink, halo: dark ? "#0b1526" : "#fff", fontSize: dark ? 18 : 12, bold: dark,
        width: dark ? 90 : 60, text: labelText };
      function drawCallouts() {
        var elements = calloutGraphics(chart, geo, byName, calloutOpts);
        chart.setOption({ graphic: { elements: elements } }, { replaceMerge: ["graphic"] });
        el.dataset.callouts = elements.filter(function (e) { return e.type === "text"; })
          .map(function (e) { return e.name; }).join(",");
      }
      chart.setOption({
        animation: false,
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            var item = p.data && p.data.item;
            if (!item) { return esc(p.name); }
            if (!item.reporting) { return esc(item.label) + "<br>" + esc(texts.notReporting); }
            var line = esc(item.label) + "<br>" + esc(data.label) + "：" + esc(figure(item, true));
            if (item.rank) { line += "<br>" + esc(texts.rank || "#") + " " + esc(item.rank); }
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
          layoutCenter: ["46%", "50%"], layoutSize: "100%",
          label: {
            show: true, color: ink, fontSize: dark ? 18 : 12, fontWeight: dark ? "bold" : "normal",
            textBorderColor: dark ? "#0b1526" : "#fff", textBorderWidth: 2,
            formatter: function (p) { return labelText(p.name, p.data && p.data.item); },
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
      drawCallouts();
      window.addEventListener("resize", function () { chart.resize(); drawCallouts(); });
      el.dataset.ready = "1";
    }).catch(function (err) {
      el.dataset.error = String(err);
      el.textContent = texts.failed || "Map failed to load";
    });
  }

  // Points closer than CELL pixels on screen are drawn as one bubble with their count; a click on
  // the bubble zooms in on it. ECharts has no clustering of its own, so the grid is recomputed
  // whenever the map is zoomed or panned (and when the legend hides a stage).
  var CELL = 48;
  var NO_CLUSTER_ZOOM = 64;  // zoomed in this far, points that share a site are shown one by one

  function projectMap(el) {
    var points = JSON.parse(document.getElementById("project-points").textContent);
    var labels = JSON.parse(document.getElementById("stage-labels").textContent);
    var colours = { planned: "#8a94a6", signed: "#2c5fa8", landed: "#0b6aa2", started: "#d9822b",
      completed: "#1a7f4b", operating: "#0f5e36", suspended: "#c8102e" };
    var clusterText = el.dataset.textCluster || "";
    loadGeo(el.dataset.geo).then(function (geo) {
      echarts.registerMap("quanzhou", geo);
      var chart = echarts.init(el);
      var stages = Object.keys(colours).filter(function (s) {
        return points.some(function (p) { return p[5] === s; });
      });
      var shown = {};
      stages.forEach(function (s) { shown[labels[s] || s] = true; });

      function pointSize(v) { return Math.max(4, Math.min(16, 3 + Math.sqrt(v[6]) * 1.6)); }

      function cluster() {
        var zoom = (chart.getOption().geo[0].zoom) || 1;
        var cells = {};
        var order = [];
        points.forEach(function (p) {
          if (!shown[labels[p[5]] || p[5]]) { return; }
          var key;
          if (zoom >= NO_CLUSTER_ZOOM) {
            key = "p" + p[2];
          } else {
            var px = chart.convertToPixel({ geoIndex: 0 }, [p[0], p[1]]);
            key = Math.floor(px[0] / CELL) + ":" + Math.floor(px[1] / CELL);
          }
          if (!cells[key]) { cells[key] = []; order.push(key); }
          cells[key].push(p);
        });
        var singles = {};
        stages.forEach(function (s) { singles[s] = []; });
        var bubbles = [];
        order.forEach(function (key) {
          var group = cells[key];
          if (group.length === 1) {
            var p = group[0];
            singles[p[5]].push({ value: [p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]] });
            return;
          }
          var lng = 0, lat = 0;
          group.forEach(function (q) { lng += q[0]; lat += q[1]; });
          bubbles.push({ value: [lng / group.length, lat / group.length, group.length], cluster: true });
        });
        var series = stages.map(function (stage) {
          return {
            id: "stage-" + stage, name: labels[stage] || stage, type: "scatter", coordinateSystem: "geo",
            symbolSize: pointSize,
            itemStyle: { color: colours[stage], opacity: 0.85, borderColor: "#fff", borderWidth: 0.5 },
            data: singles[stage],
          };
        });
        series.push({
          id: "clusters", name: "clusters", type: "scatter", coordinateSystem: "geo", z: 5,
          symbolSize: function (v) { return Math.min(58, 24 + Math.log(v[2]) * 6); },
          itemStyle: { color: "rgba(44,95,168,.82)", borderColor: "#fff", borderWidth: 2 },
          label: { show: true, position: "inside", color: "#fff", fontWeight: "bold", fontSize: 12,
            formatter: function (p) { return String(p.value[2]); } },
          emphasis: { scale: 1.12 },
          data: bubbles,
        });
        chart.setOption({ series: series }, { replaceMerge: ["series"] });
        el.dataset.clusters = String(bubbles.length);
        el.dataset.singles = String(stages.reduce(function (n, s) { return n + singles[s].length; }, 0));
        el.dataset.zoom = String(Math.round(zoom * 100) / 100);
      }

      chart.setOption({
        animation: false,
        legend: { top: 8, left: 8, orient: "vertical", backgroundColor: "rgba(255,255,255,.85)", padding: 8,
          data: stages.map(function (s) { return labels[s] || s; }) },
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            var v = p.value;
            if (p.data && p.data.cluster) { return esc(v[2]) + " " + esc(clusterText); }
            return esc(v[3]) + "<br><strong>" + esc(v[4]) + "</strong><br>" + esc(labels[v[5]] || v[5]) +
              " · " + esc(v[7]);
          },
        },
        geo: {
          map: "quanzhou", roam: true, layoutCenter: ["50%", "50%"], layoutSize: "100%",
          scaleLimit: { min: 1, max: NO_CLUSTER_ZOOM * 2 },
          itemStyle: { areaColor: "#eef2f8", borderColor: "#9aaac2" },
          emphasis: { itemStyle: { areaColor: "#dfe7f3" }, label: { show: false } },
          label: { show: true, color: "#5f6b7d", fontSize: 11 },
        },
        series: [],
      });
      cluster();

      var pending = null;
      chart.on("georoam", function () {
        if (pending) { clearTimeout(pending); }
        pending = setTimeout(function () { pending = null; cluster(); }, 60);
      });
      chart.on("legendselectchanged", function (e) {
        shown = e.selected;
        cluster();
      });
      chart.on("click", function (p) {
        if (p.data && p.data.cluster) {
          var zoom = (chart.getOption().geo[0].zoom) || 1;
          chart.setOption({ geo: { center: [p.value[0], p.value[1]], zoom: Math.min(zoom * 2.5, NO_CLUSTER_ZOOM * 2) } });
          cluster();
          return;
        }
        if (p.value && p.value[2]) {
          window.location.href = el.dataset.projectUrl.replace("/0/", "/" + p.value[2] + "/");
        }
      });
      window.addEventListener("resize", function () { chart.resize(); cluster(); });
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
