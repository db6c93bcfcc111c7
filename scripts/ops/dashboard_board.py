"""The dashboards' building blocks: the selectors every board shares, a board that lays out rows and panels
on Grafana's grid, and the latency quantiles of a histogram."""

NS = 'namespace=~"$namespace"'
EVENTS = f'{NS}, route="/v1/events"'
GROUP = 'consumergroup="ledger-worker", topic="events"'
RI = "$__rate_interval"


class Board:
    def __init__(self, uid, title, description):
        self.uid, self.title, self.description = uid, title, description
        self.panels, self.y, self.x, self.row_h, self.next_id = [], 0, 0, 0, 1

    def row(self, title):
        self._newline()
        self.panels.append(
            {
                "type": "row",
                "title": title,
                "id": self._id(),
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y},
                "panels": [],
            }
        )
        self.y += 1

    def panel(
        self,
        title,
        targets,
        unit="short",
        kind="timeseries",
        width=12,
        height=8,
        description="",
        thresholds=None,
        stack=False,
    ):
        if self.x + width > 24:
            self._newline()
        field = {"unit": unit}
        if thresholds is not None:
            field["thresholds"] = {
                "mode": "absolute",
                "steps": [{"color": "green", "value": None}]
                + [{"color": color, "value": value} for value, color in thresholds],
            }
            if kind == "timeseries":
                field["custom"] = {"thresholdsStyle": {"mode": "line"}}
        if stack and kind == "timeseries":
            field.setdefault("custom", {})["stacking"] = {"mode": "normal"}
        self.panels.append(
            {
                "type": kind,
                "title": title,
                "id": self._id(),
                "description": description,
                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                "gridPos": {"h": height, "w": width, "x": self.x, "y": self.y},
                "fieldConfig": {"defaults": field, "overrides": []},
                "options": {"legend": {"displayMode": "list", "placement": "bottom"}} if kind == "timeseries" else {},
                "targets": [
                    {
                        "refId": chr(65 + i),
                        "expr": expr,
                        "legendFormat": legend,
                        "datasource": {"type": "prometheus", "uid": "${datasource}"},
                    }
                    for i, (expr, legend) in enumerate(targets)
                ],
            }
        )
        self.x += width
        self.row_h = max(self.row_h, height)

    def logs(self, title, expr, description="", width=24, height=10):
        """A logs panel on the Loki data source (uid `loki`, platform/values/kube-prometheus-stack.yaml): the data
        source's derived fields turn a line's trace_id into a link to its trace, in the panel as in Explore."""
        if self.x + width > 24:
            self._newline()
        loki = {"type": "loki", "uid": "loki"}
        self.panels.append(
            {
                "type": "logs",
                "title": title,
                "id": self._id(),
                "description": description,
                "datasource": loki,
                "gridPos": {"h": height, "w": width, "x": self.x, "y": self.y},
                "options": {
                    "showTime": True,
                    "wrapLogMessage": True,
                    "enableLogDetails": True,
                    "sortOrder": "Descending",
                },
                "targets": [{"refId": "A", "expr": expr, "datasource": loki}],
            }
        )
        self.x += width
        self.row_h = max(self.row_h, height)

    def _newline(self):
        if self.x:
            self.y += self.row_h
        self.x, self.row_h = 0, 0

    def _id(self):
        self.next_id += 1
        return self.next_id - 1

    def json(self, variable_metric):
        return {
            "uid": self.uid,
            "title": self.title,
            "description": self.description,
            "tags": ["replicasafe"],
            "timezone": "utc",
            "schemaVersion": 39,
            "version": 1,
            "editable": True,
            "refresh": "30s",
            "time": {"from": "now-3h", "to": "now"},
            "annotations": {"list": []},
            "links": [],
            "templating": {
                "list": [
                    {
                        "name": "datasource",
                        "type": "datasource",
                        "query": "prometheus",
                        "label": "Data source",
                        "current": {},
                        "hide": 0,
                    },
                    {
                        "name": "namespace",
                        "type": "query",
                        "label": "Namespace",
                        "includeAll": True,
                        "multi": False,
                        "refresh": 2,
                        "current": {},
                        "hide": 0,
                        "allValue": ".*",
                        "datasource": {"type": "prometheus", "uid": "${datasource}"},
                        "definition": f"label_values({variable_metric}, namespace)",
                        "query": {"query": f"label_values({variable_metric}, namespace)", "refId": "namespace"},
                    },
                ]
            },
            "panels": self.panels,
        }


def quantiles(metric, selector, by=""):
    return [
        (
            f"histogram_quantile({q}, sum by (le{by}) (rate({metric}_bucket{{{selector}}}[{RI}])))",
            f"p{int(q * 100)}" + (" {{" + by.strip(", ") + "}}" if by else ""),
        )
        for q in (0.5, 0.95, 0.99)
    ]
