"""Key-project lists written the way 发改委 offices publish them, for the import tests.

Each builder returns (bytes, filename). The shapes are those of real published tables: a title
line, a unit line, a two-row merged header with a "2022年工作计划" group over "投资" and
"工程主要形象进度", money in 亿元, section headings with counts, 合计/小计 rows, sub-items,
markers on names explained in a note, year ranges in several spellings, full-width digits,
thousands separators and blanks.
"""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter


def _workbook(write) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = workbook.add_worksheet("重点项目")
    merged = workbook.add_format({"align": "center", "valign": "vcenter", "bold": True})
    write(sheet, merged)
    workbook.close()
    return out.getvalue()


def city_list_2022() -> tuple[bytes, str]:
    """泉州市2022年市重点项目清单 in the shape of a published table (money in 亿元).

    Projects (total 亿元 / 2022 plan 亿元):
      1 ★泉州湾跨海大桥连接线   晋江   18.5 / 4.2   (★ = 省重点, note below), 交通 section
      2 石狮港区物流园           石狮市  6    / 1.5
      3 ▲安溪茶产业园三期       安溪县  3.25 / 1.05  (▲ = 市重点 already, flag only)
      4 南安芯谷一期             南安   "１２"(full-width) / 2.4, 产业 section
      5 泉州台商区滨海新城道路   台商区  "1,050,000万元" (=105亿元) / 8
    Totals: 18.5+6+3.25+12+105 = 144.75 亿元 = 1,447,500 万元; plans 4.2+1.5+1.05+2.4+8 =
    17.15 亿元 = 171,500 万元.
    """

    def write(sheet, merged):
        sheet.merge_range(0, 0, 0, 10, "泉州市2022年市重点项目清单", merged)
        sheet.write(1, 0, "单位：亿元")
        headers = [
            "序号",
            "项目名称",
            "所在地",
            "建设规模及内容",
            "建设起止年限",
            "总投资",
            None,
            None,
            "计划开工时间",
            "建设性质",
            "责任单位",
        ]
        for col, text in enumerate(headers):
            if text and col not in (5,):
                sheet.merge_range(2, col, 3, col, text, merged)
        sheet.merge_range(2, 5, 3, 5, "总投资", merged)
        sheet.merge_range(2, 6, 2, 7, "2022年工作计划", merged)
        sheet.write(3, 6, "投资", merged)
        sheet.write(3, 7, "工程主要形象进度", merged)
        rows: list[list[Any]] = [
            ["", "合计", "", "", "", 144.75, 17.15, "", "", "", ""],
            ["一、", "交通项目（3个）", "", "", "", "", "", "", "", "", ""],
            [
                1,
                "★泉州湾跨海大桥连接线",
                "晋江",
                "全长12公里",
                "2021-2024",
                18.5,
                4.2,
                "完成路基",
                "2021年6月",
                "续建",
                "市交通运输局",
            ],
            [
                2,
                "石狮港区物流园",
                "石狮市",
                "仓储10万平方米",
                "2022—2023",
                6,
                1.5,
                "",
                "2022.03",
                "新开工",
                "石狮市发改局",
            ],
            ["", "其中：一期仓储", "石狮市", "", "", 2, 0.5, "", "", "", ""],
            [
                3,
                "▲安溪茶产业园三期",
                "安溪县",
                "",
                "2022年-2025年",
                3.25,
                1.05,
                "",
                "2022年9月",
                "新开工",
                "安溪县茶业局",
            ],
            ["二、", "产业项目（2个）", "", "", "", "", "", "", "", "", ""],
            [
                4,
                "南安芯谷一期",
                "南安",
                "厂房20万平方米",
                "2022",
                "１２",
                "2.4",
                "",
                "2022-05",
                "新开工",
                "南安市工信局",
            ],
            ["（1）", "南安芯谷一期配套道路", "南安", "", "", 1, 0.2, "", "", "", ""],
            [
                5,
                "泉州台商区滨海新城道路",
                "台商区",
                "",
                "2020-2024",
                "1,050,000万元",
                8,
                "",
                "",
                "续建",
                "泉州台商投资区管委会",
            ],
            ["", "小计", "", "", "", 117, 10.4, "", "", "", ""],
            ["注：★为省重点项目，▲为新增项目。", "", "", "", "", "", "", "", "", "", ""],
        ]
        for r, row in enumerate(rows, start=4):
            for c, value in enumerate(row):
                if value != "":
                    sheet.write(r, c, value)

    return _workbook(write), "泉州市2022年市重点项目清单.xlsx"


def district_list_csv() -> tuple[bytes, str]:
    """A district's own list as CSV (GB18030, as Excel on Windows saves it), no region column,
    money in 万元 without saying so, with a blank and a year range "2022～2023"."""
    text = (
        "鲤城区2022年区重点项目\n"
        "序号,项目名称,业主单位,总投资,年度计划投资,计划开工,计划竣工\n"
        '1,鲤城古城保护提升,泉州古城文旅集团,"12,000",3000,2022年3月,2023年12月\n'
        "2,※江南新区学校,鲤城区教育局,5800.5,,2022年10月,\n"
        "3,金龙街道污水管网,鲤城区住建局,900,900,,2022年11月\n"
    )
    return text.encode("gb18030"), "鲤城区重点项目.csv"
