"""The fixed tables behind the Quanzhou 2022 demo: districts, name parts, urban areas, users.

Everything here is plain data. ``generator.py`` draws from it with a seeded random generator, so
changing a table changes the demo on purpose and nothing else does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from gongjian.accounts.choices import Role

# The seed of every random draw; the year of the campaign.
DEMO_SEED = 2022
# The demo's "now": late November 2022, so December is still open for monthly reporting.
DEMO_TODAY = dt.date(2022, 11, 30)
CAMPAIGN_YEAR_START = dt.date(2022, 1, 1)
DEMO_PASSWORD = "gongjian-demo"
CITY_CODE = "350500"

KEY = "key-construction"
SIGNED = "investment-signed"
URBAN = "urban-quality"
NEW_INFRA = "new-infrastructure"
# Category code → project-code prefix ("ZD2022-350582-0001").
CODE_PREFIXES: dict[str, str] = {
    KEY: "ZD2022",
    SIGNED: "ZS2022",
    URBAN: "CJ2022",
    NEW_INFRA: "XJ2022",
}
# A signed project at or above this total (万元, i.e. 20 亿元) counts as a major signing.
MAJOR_SIGNING_WAN = 200_000


@dataclass(frozen=True)
class District:
    """One of the 13 reporting units, with how the demo sizes and paces its projects."""

    code: str
    name: str  # as written at the head of a project name: 晋江市, 泉州台商投资区
    enterprise_places: tuple[str, ...]  # place words in company names: 福建, 泉州, 晋江
    government: str  # responsible unit of key projects
    commerce_unit: str  # responsible unit of signed investment projects
    construction_unit: str  # responsible unit of urban-quality projects
    technology_unit: str  # responsible unit of new-infrastructure projects
    social_unit_prefix: str  # "晋江市" + 教育局…; zones have one 社会事业局 instead
    towns: tuple[str, ...]  # towns, sub-districts and parks used in names
    # Approximate centre and half-width of the box projects are scattered in, in micro-degrees.
    lng: int
    lat: int
    lng_spread: int
    lat_spread: int
    key_count: int
    signed_count: int
    signed_major_count: int
    new_infra_count: int
    # >1 ahead of the city (more starts and completions), <1 behind.
    pace: float
    chains: tuple[tuple[str, int], ...]  # industry chain code, weight


DISTRICTS: tuple[District, ...] = (
    District(
        code="350502",
        name="鲤城区",
        enterprise_places=("泉州", "福建", "泉州市鲤城区"),
        government="鲤城区人民政府",
        commerce_unit="鲤城区商务局",
        construction_unit="鲤城区住房和城乡建设局",
        technology_unit="鲤城区工业和信息化局",
        social_unit_prefix="鲤城区",
        towns=("开元", "海滨", "鲤中", "临江", "浮桥", "江南", "金龙", "常泰"),
        lng=118_587_000,
        lat=24_910_000,
        lng_spread=20_000,
        lat_spread=18_000,
        key_count=58,
        signed_count=150,
        signed_major_count=4,
        new_infra_count=7,
        pace=1.05,
        chains=(
            ("modern-services", 4),
            ("textile-footwear", 2),
            ("machinery", 2),
            ("electronics", 2),
            ("digital-economy", 2),
            ("food-beverage", 1),
            ("medical-devices", 1),
        ),
    ),
    District(
        code="350503",
        name="丰泽区",
        enterprise_places=("泉州", "福建", "泉州市丰泽区"),
        government="丰泽区人民政府",
        commerce_unit="丰泽区商务局",
        construction_unit="丰泽区住房和城乡建设局",
        technology_unit="丰泽区工业和信息化局",
        social_unit_prefix="丰泽区",
        towns=("东海", "城东", "华大", "清源", "丰泽", "泉秀", "东湖", "北峰"),
        lng=118_620_000,
        lat=24_895_000,
        lng_spread=30_000,
        lat_spread=25_000,
        key_count=74,
        signed_count=175,
        signed_major_count=7,
        new_infra_count=13,
        pace=1.2,
        chains=(
            ("modern-services", 5),
            ("digital-economy", 3),
            ("electronics", 2),
            ("medical-devices", 1),
            ("textile-footwear", 1),
            ("food-beverage", 1),
        ),
    ),
    District(
        code="350504",
        name="洛江区",
        enterprise_places=("泉州", "福建", "泉州市洛江区"),
        government="洛江区人民政府",
        commerce_unit="洛江区商务局",
        construction_unit="洛江区住房和城乡建设局",
        technology_unit="洛江区工业和信息化局",
        social_unit_prefix="洛江区",
        towns=("万安", "双阳", "河市", "马甲", "罗溪", "虹山"),
        lng=118_672_000,
        lat=24_990_000,
        lng_spread=40_000,
        lat_spread=60_000,
        key_count=48,
        signed_count=120,
        signed_major_count=4,
        new_infra_count=5,
        pace=0.9,
        chains=(
            ("machinery", 3),
            ("building-materials", 2),
            ("electronics", 2),
            ("modern-services", 2),
            ("paper-printing", 1),
            ("food-beverage", 1),
        ),
    ),
    District(
        code="350505",
        name="泉港区",
        enterprise_places=("泉州", "福建", "泉港"),
        government="泉港区人民政府",
        commerce_unit="泉港区商务局",
        construction_unit="泉港区住房和城乡建设局",
        technology_unit="泉港区工业和信息化局",
        social_unit_prefix="泉港区",
        towns=("山腰", "南埔", "界山", "后龙", "峰尾", "涂岭", "前黄"),
        lng=118_905_000,
        lat=25_140_000,
        lng_spread=40_000,
        lat_spread=40_000,
        key_count=70,
        signed_count=135,
        signed_major_count=11,
        new_infra_count=4,
        pace=0.95,
        chains=(
            ("petrochemical", 6),
            ("new-materials", 3),
            ("machinery", 1),
            ("modern-services", 1),
            ("new-energy", 1),
        ),
    ),
    District(
        code="350521",
        name="惠安县",
        enterprise_places=("惠安", "福建", "泉州"),
        government="惠安县人民政府",
        commerce_unit="惠安县商务局",
        construction_unit="惠安县住房和城乡建设局",
        technology_unit="惠安县工业和信息化局",
        social_unit_prefix="惠安县",
        towns=("螺城", "螺阳", "黄塘", "紫山", "崇武", "山霞", "东岭", "涂寨", "净峰", "小岞"),
        lng=118_800_000,
        lat=25_020_000,
        lng_spread=60_000,
        lat_spread=60_000,
        key_count=92,
        signed_count=190,
        signed_major_count=9,
        new_infra_count=6,
        pace=1.0,
        chains=(
            ("petrochemical", 3),
            ("building-materials", 3),
            ("machinery", 2),
            ("new-materials", 2),
            ("electronics", 1),
            ("modern-services", 1),
        ),
    ),
    District(
        code="350524",
        name="安溪县",
        enterprise_places=("安溪", "福建", "泉州"),
        government="安溪县人民政府",
        commerce_unit="安溪县商务局",
        construction_unit="安溪县住房和城乡建设局",
        technology_unit="安溪县工业和信息化局",
        social_unit_prefix="安溪县",
        towns=("凤城", "城厢", "官桥", "龙门", "湖头", "蓬莱", "参内", "魁斗", "感德", "西坪"),
        lng=118_120_000,
        lat=25_060_000,
        lng_spread=150_000,
        lat_spread=120_000,
        key_count=82,
        signed_count=170,
        signed_major_count=7,
        new_infra_count=8,
        pace=0.9,
        chains=(
            ("electronics", 4),
            ("food-beverage", 4),
            ("crafts", 2),
            ("building-materials", 1),
            ("modern-services", 1),
            ("new-energy", 1),
        ),
    ),
    District(
        code="350525",
        name="永春县",
        enterprise_places=("永春", "福建", "泉州"),
        government="永春县人民政府",
        commerce_unit="永春县商务局",
        construction_unit="永春县住房和城乡建设局",
        technology_unit="永春县工业和信息化局",
        social_unit_prefix="永春县",
        towns=("桃城", "五里街", "石鼓", "达埔", "蓬壶", "东平", "岵山", "一都"),
        lng=118_260_000,
        lat=25_320_000,
        lng_spread=120_000,
        lat_spread=80_000,
        key_count=50,
        signed_count=105,
        signed_major_count=2,
        new_infra_count=4,
        pace=0.7,
        chains=(
            ("food-beverage", 3),
            ("crafts", 2),
            ("building-materials", 2),
            ("modern-services", 2),
            ("paper-printing", 1),
            ("textile-footwear", 1),
        ),
    ),
    District(
        code="350526",
        name="德化县",
        enterprise_places=("德化", "福建", "泉州"),
        government="德化县人民政府",
        commerce_unit="德化县商务局",
        construction_unit="德化县住房和城乡建设局",
        technology_unit="德化县工业和信息化局",
        social_unit_prefix="德化县",
        towns=("浔中", "龙浔", "三班", "盖德", "雷峰", "水口", "赤水", "上涌"),
        lng=118_240_000,
        lat=25_500_000,
        lng_spread=100_000,
        lat_spread=90_000,
        key_count=45,
        signed_count=95,
        signed_major_count=2,
        new_infra_count=3,
        pace=0.65,
        chains=(
            ("crafts", 6),
            ("modern-services", 2),
            ("building-materials", 1),
            ("food-beverage", 1),
            ("new-materials", 1),
        ),
    ),
    District(
        code="350581",
        name="石狮市",
        enterprise_places=("石狮", "福建", "泉州"),
        government="石狮市人民政府",
        commerce_unit="石狮市商务局",
        construction_unit="石狮市住房和城乡建设局",
        technology_unit="石狮市工业和信息化局",
        social_unit_prefix="石狮市",
        towns=("湖滨", "凤里", "灵秀", "宝盖", "蚶江", "祥芝", "鸿山", "永宁"),
        lng=118_650_000,
        lat=24_730_000,
        lng_spread=40_000,
        lat_spread=30_000,
        key_count=72,
        signed_count=185,
        signed_major_count=6,
        new_infra_count=6,
        pace=1.1,
        chains=(
            ("textile-footwear", 6),
            ("modern-services", 3),
            ("food-beverage", 1),
            ("machinery", 1),
        ),
    ),
    District(
        code="350582",
        name="晋江市",
        enterprise_places=("晋江", "福建", "泉州"),
        government="晋江市人民政府",
        commerce_unit="晋江市商务局",
        construction_unit="晋江市住房和城乡建设局",
        technology_unit="晋江市工业和信息化局",
        social_unit_prefix="晋江市",
        towns=(
            "青阳",
            "梅岭",
            "西园",
            "罗山",
            "灵源",
            "新塘",
            "陈埭",
            "池店",
            "安海",
            "磁灶",
            "内坑",
            "紫帽",
            "东石",
            "永和",
            "英林",
            "龙湖",
            "深沪",
            "金井",
        ),
        lng=118_570_000,
        lat=24_770_000,
        lng_spread=80_000,
        lat_spread=70_000,
        key_count=165,
        signed_count=333,
        signed_major_count=19,
        new_infra_count=15,
        pace=1.25,
        chains=(
            ("textile-footwear", 6),
            ("food-beverage", 2),
            ("building-materials", 2),
            ("electronics", 2),
            ("paper-printing", 1),
            ("medical-devices", 1),
            ("machinery", 1),
            ("modern-services", 1),
        ),
    ),
    District(
        code="350583",
        name="南安市",
        enterprise_places=("南安", "福建", "泉州"),
        government="南安市人民政府",
        commerce_unit="南安市商务局",
        construction_unit="南安市住房和城乡建设局",
        technology_unit="南安市工业和信息化局",
        social_unit_prefix="南安市",
        towns=(
            "溪美",
            "柳城",
            "美林",
            "省新",
            "仑苍",
            "水头",
            "石井",
            "官桥",
            "丰州",
            "霞美",
            "洪濑",
            "康美",
            "诗山",
            "码头",
        ),
        lng=118_390_000,
        lat=24_950_000,
        lng_spread=130_000,
        lat_spread=130_000,
        key_count=112,
        signed_count=235,
        signed_major_count=11,
        new_infra_count=9,
        pace=1.0,
        chains=(
            ("building-materials", 5),
            ("machinery", 3),
            ("electronics", 2),
            ("food-beverage", 1),
            ("new-energy", 1),
            ("modern-services", 1),
        ),
    ),
    District(
        code="QZ-TZQ",
        name="泉州台商投资区",
        enterprise_places=("泉州", "福建"),
        government="泉州台商投资区管委会",
        commerce_unit="泉州台商投资区招商局",
        construction_unit="泉州台商投资区建设与交通局",
        technology_unit="泉州台商投资区经济发展局",
        social_unit_prefix="",
        towns=("东园", "张坂", "洛阳", "百崎", "秀涂"),
        lng=118_740_000,
        lat=24_975_000,
        lng_spread=40_000,
        lat_spread=30_000,
        key_count=96,
        signed_count=190,
        signed_major_count=25,
        new_infra_count=9,
        pace=1.1,
        chains=(
            ("new-materials", 3),
            ("electronics", 3),
            ("machinery", 2),
            ("modern-services", 2),
            ("new-energy", 1),
            ("building-materials", 1),
        ),
    ),
    District(
        code="QZ-JKQ",
        name="泉州经济技术开发区",
        enterprise_places=("泉州", "福建"),
        government="泉州经济技术开发区管委会",
        commerce_unit="泉州经济技术开发区招商局",
        construction_unit="泉州经济技术开发区建设管理局",
        technology_unit="泉州经济技术开发区经济发展局",
        social_unit_prefix="",
        towns=("清濛", "崇德", "德泰", "清华"),
        lng=118_575_000,
        lat=24_870_000,
        lng_spread=15_000,
        lat_spread=12_000,
        key_count=42,
        signed_count=130,
        signed_major_count=5,
        new_infra_count=7,
        pace=1.0,
        chains=(
            ("electronics", 3),
            ("machinery", 3),
            ("medical-devices", 2),
            ("new-materials", 1),
            ("textile-footwear", 1),
            ("food-beverage", 1),
        ),
    ),
)

# Made-up trade names (字号); enterprise and project names are built from them.
BRANDS: tuple[str, ...] = (
    "鸿兴", "恒达", "联泰", "华宏", "新源", "宏盛", "嘉乐", "万利", "盛达", "永信",
    "协力", "信和", "金泉", "泉兴", "德盛", "荣发", "鑫隆", "华泰", "建丰", "凯盛",
    "天成", "瑞丰", "福联", "闽兴", "锦华", "佳美", "豪德", "长兴", "宏远", "振兴",
    "恒盛", "源兴", "裕丰", "弘盛", "汇通", "祥和", "和信", "嘉诚", "正源", "富源",
    "昌盛", "宏泰", "泰和", "晟达", "瑞祥", "通达", "广顺", "顺发", "永兴", "海诚",
    "润丰", "聚隆", "鼎盛", "鑫源", "兴业", "荣达", "华联", "东升", "南星", "北辰",
    "清源", "刺桐", "紫云", "桐城", "温陵", "鲤华", "丰源", "宏海", "海亿", "泉盛",
    "晋达", "石丰", "安华", "南丰", "德源", "春晖", "永达", "惠丰", "港兴", "洛峰",
    "凯达", "立信", "博艺", "金瑞", "锦程", "浩丰", "伟业", "宏基", "力达", "明辉",
    "创新", "恒信", "星源", "银河", "华晟", "天润", "合力", "中恒", "世通", "信泰",
    "友谊", "诚达", "协和", "昇兴", "金达", "美亚", "嘉顺", "远航", "新宇", "鸿福",
)  # fmt: skip

COMPANY_SUFFIXES: tuple[tuple[str, int], ...] = (
    ("有限公司", 12),
    ("股份有限公司", 4),
    ("集团有限公司", 3),
)


@dataclass(frozen=True)
class ChainWords:
    """How companies of an industry chain are named, and what their projects are called."""

    trades: tuple[str, ...]  # 行业字: 鞋业, 石化…
    project_kinds: tuple[str, ...]  # what follows the company in a project name
    content: str  # a line of 建设内容


CHAIN_WORDS: dict[str, ChainWords] = {
    "textile-footwear": ChainWords(
        ("鞋业", "鞋服", "服饰", "纺织", "针织", "体育用品", "鞋材", "织造"),
        (
            "智能化生产线技改项目",
            "运动鞋服智能制造项目",
            "高端面料生产项目",
            "数字化车间改造项目",
            "总部及研发中心项目",
            "产业园项目",
        ),
        "新建厂房及研发设计中心，引进智能裁剪、自动针车、立体仓储等生产线",
    ),
    "petrochemical": ChainWords(
        ("石化", "化工", "石油化工", "精细化工"),
        ("新材料项目", "聚烯烃项目", "乙烯下游深加工项目", "储运基地项目", "精细化工项目"),
        "建设生产装置、罐区及公用工程配套设施，采用连续化、密闭化工艺",
    ),
    "machinery": ChainWords(
        ("机械", "重工", "智能装备", "液压", "精工"),
        ("智能装备生产基地项目", "数控装备制造项目", "生产线技改项目", "产业园项目"),
        "新建装配车间及检测中心，购置数控加工中心、焊接机器人等设备",
    ),
    "building-materials": ChainWords(
        ("石材", "建材", "卫浴", "水暖", "陶瓷", "家居"),
        (
            "高端卫浴智能制造项目",
            "绿色建材生产基地项目",
            "智能化生产线技改项目",
            "家居产业园项目",
        ),
        "新建智能化生产车间及仓储物流中心，配套环保及余热利用设施",
    ),
    "food-beverage": ChainWords(
        ("食品", "茶业", "饮品", "农业发展"),
        ("食品生产基地项目", "茶叶精深加工项目", "智能化生产线项目", "冷链加工项目"),
        "新建生产车间、冷库及质检中心，引进自动化灌装、包装生产线",
    ),
    "electronics": ChainWords(
        ("光电", "半导体", "电子", "微电子", "智能科技"),
        (
            "半导体封装测试项目",
            "LED芯片生产项目",
            "智能终端生产项目",
            "光电产业园项目",
            "电子元器件生产项目",
        ),
        "新建洁净厂房及动力站房，购置封装、测试及表面贴装设备",
    ),
    "medical-devices": ChainWords(
        ("医疗器械", "卫生用品", "医疗科技"),
        ("医疗器械生产项目", "医用耗材生产项目", "研发生产基地项目"),
        "新建十万级洁净车间及研发检测中心，购置全自动生产设备",
    ),
    "paper-printing": ChainWords(
        ("纸业", "包装", "印刷"),
        ("生活用纸生产线项目", "绿色包装生产项目", "智能化印刷项目"),
        "新建生产车间及成品仓库，引进高速生活用纸、包装印刷生产线",
    ),
    "crafts": ChainWords(
        ("陶瓷", "工艺", "瓷业", "工艺品"),
        ("日用陶瓷智能化生产项目", "陶瓷文创园项目", "工艺品生产基地项目"),
        "新建窑炉车间、文创展示中心及仓储用房，推广电窑、气窑等清洁生产",
    ),
    "new-materials": ChainWords(
        ("新材料", "高分子材料", "化纤", "复合材料"),
        ("新材料项目", "高性能纤维项目", "功能薄膜项目", "新材料产业园项目"),
        "建设新材料生产线及中试基地，配套研发中心和检测平台",
    ),
    "new-energy": ChainWords(
        ("新能源", "储能", "锂电", "光伏"),
        ("储能电池项目", "光伏组件生产项目", "新能源装备项目"),
        "新建电芯、模组及系统集成生产线，配套研发测试中心",
    ),
    "digital-economy": ChainWords(
        ("数字科技", "信息技术", "网络科技", "大数据"),
        ("数字经济产业园项目", "大数据中心项目", "软件研发基地项目"),
        "建设研发办公楼、机房及配套设施，打造数字经济企业集聚区",
    ),
    "modern-services": ChainWords(
        ("商贸", "物流", "供应链", "置业", "实业"),
        ("现代物流园项目", "商贸综合体项目", "供应链总部项目", "文旅综合体项目"),
        "建设仓储物流、商业及配套服务设施",
    ),
}

# A road network for names like "兴业路（环城路至世纪大道段）拓宽改造工程".
ROADS: tuple[str, ...] = (
    "兴业路", "创业路", "工业大道", "滨海大道", "环城路", "朝阳路", "新华路", "中心路",
    "健康路", "学府路", "世纪大道", "通港路", "迎宾大道", "站前大道", "滨江路", "园区路",
    "振兴路", "发展大道", "江南路", "丰海路", "桃源路", "凤山路", "龙湖路", "金山路",
    "文明路", "和平路", "幸福路", "紫帽路", "泉安路", "海湾大道",
)  # fmt: skip
ROAD_WORKS: tuple[str, ...] = (
    "拓宽改造工程",
    "新建工程",
    "提升改造工程",
    "快速化改造工程",
    "白改黑工程",
    "延伸段工程",
)
TRANSPORT_FACILITIES: tuple[str, ...] = (
    "互通立交工程",
    "公交首末站建设工程",
    "智慧停车场建设项目",
    "跨线桥工程",
    "综合交通枢纽工程",
)
OLD_TOWN_STREETS: tuple[str, ...] = (
    "西街", "中山路", "金鱼巷", "聚宝街", "象峰巷", "承天巷", "涂门街", "新门街",
    "通淮街", "义全街", "奎霞巷", "甲第巷", "旧馆驿", "花巷", "井亭巷", "东街",
    "南俊巷", "胭脂巷", "水门巷", "打锡巷", "状元街", "孝感巷", "敷仁巷",
)  # fmt: skip
OLD_TOWN_WORKS: tuple[str, ...] = (
    "街巷风貌提升工程",
    "立面整治工程",
    "微改造项目",
    "历史建筑修缮工程",
    "强弱电管线下地工程",
    "夜景照明提升工程",
)
EASTSEA_ROADS: tuple[str, ...] = (
    "东海大街", "东滨路", "津淮街", "通港西街", "刺桐东路", "海星街", "宝洲路", "滨海街",
)  # fmt: skip
EASTSEA_WORKS: tuple[str, ...] = ("提升改造工程", "景观提升工程", "配套道路工程", "慢行系统工程")
EASTSEA_FACILITIES: tuple[str, ...] = (
    "地下综合管廊工程",
    "公共停车楼项目",
    "口袋公园建设项目",
    "人行天桥工程",
    "海丝文化广场项目",
    "湾区岸线整治工程",
    "中央商务区配套学校项目",
)
RIVERSIDE_WORKS: tuple[str, ...] = (
    "滨江岸线景观提升工程",
    "滨江步道贯通工程",
    "防洪堤提升改造工程",
    "滨江公园建设工程",
    "生态岸线修复工程",
    "亲水平台建设工程",
)
PHASES: tuple[str, ...] = ("一期", "二期", "三期", "四期")
ESTATES: tuple[str, ...] = ("新村", "花园", "公寓", "小区", "宿舍区", "一区", "二区", "三区")
RENEWAL_WORKS: tuple[str, ...] = (
    "片区城市更新项目",
    "旧村改造项目",
    "城中村改造项目",
    "棚户区改造安置房项目",
)
PARK_WORKS: tuple[str, ...] = (
    "公园建设工程",
    "口袋公园建设项目",
    "绿道建设工程",
    "郊野公园建设工程",
    "生态湿地公园工程",
    "城市绿廊工程",
    "山体公园提升工程",
)
PIPE_WORKS: tuple[str, ...] = (
    "雨污分流改造工程",
    "污水管网完善工程",
    "给水管网改造工程",
    "燃气管道老化更新改造工程",
    "排水防涝设施建设工程",
    "供水管网提升工程",
    "海绵城市建设工程",
)
# Public facility, and which bureau owns it ("" → the district's urban construction company).
PUBLIC_FACILITIES: tuple[tuple[str, str], ...] = (
    ("中心小学扩建工程", "教育局"),
    ("实验中学新建工程", "教育局"),
    ("中心幼儿园建设项目", "教育局"),
    ("第二实验小学新建工程", "教育局"),
    ("卫生院业务综合楼工程", "卫生健康局"),
    ("医院门诊综合楼工程", "卫生健康局"),
    ("全民健身中心建设项目", "文体旅游局"),
    ("体育公园建设项目", "文体旅游局"),
    ("文体中心建设工程", "文体旅游局"),
    ("养老服务中心建设项目", "民政局"),
    ("社区综合服务中心项目", ""),
    ("便民服务中心项目", ""),
)


@dataclass(frozen=True)
class UrbanArea:
    """One of the eight 城建提品质 areas: how many projects, where, and how they are named."""

    name: str  # carried at the head of the description: 【古城提质】
    count: int
    kind: str  # which name builder the generator uses
    regions: tuple[tuple[str, int], ...]  # region code, weight
    content: str
    # An own centre for areas that sit in one place (micro-degrees, with half-widths).
    centre: tuple[int, int, int, int] | None = None


_ALL_REGIONS: tuple[tuple[str, int], ...] = (
    ("350502", 10),
    ("350503", 10),
    ("350504", 6),
    ("350505", 5),
    ("350521", 7),
    ("350524", 7),
    ("350525", 5),
    ("350526", 5),
    ("350581", 8),
    ("350582", 14),
    ("350583", 10),
    ("QZ-TZQ", 7),
    ("QZ-JKQ", 3),
)

URBAN_AREAS: tuple[UrbanArea, ...] = (
    UrbanArea(
        "东海核心区提质",
        58,
        "eastsea",
        (("350503", 1),),
        "完善东海片区道路、景观及公共配套，提升中心城区品质",
        centre=(118_667_000, 24_880_000, 15_000, 10_000),
    ),
    UrbanArea(
        "古城提质",
        86,
        "old_town",
        (("350502", 1),),
        "开展古城街巷风貌整治与微改造，保护修缮历史建筑，完善市政配套",
        centre=(118_586_000, 24_913_000, 8_000, 6_000),
    ),
    UrbanArea(
        "滨江片区",
        64,
        "riverside",
        (
            ("350502", 2),
            ("350503", 2),
            ("350582", 3),
            ("350583", 1),
            ("350504", 1),
            ("QZ-TZQ", 1),
        ),
        "贯通滨江步道，整治岸线，建设亲水空间和滨江公园",
    ),
    UrbanArea("交通路网", 142, "transport", _ALL_REGIONS, "新建、拓宽道路及节点，完善城市路网"),
    UrbanArea(
        "城市更新/老旧小区改造",
        146,
        "renewal",
        (
            ("350502", 14),
            ("350503", 12),
            ("350504", 5),
            ("350505", 4),
            ("350521", 6),
            ("350524", 5),
            ("350525", 4),
            ("350526", 4),
            ("350581", 9),
            ("350582", 14),
            ("350583", 9),
            ("QZ-TZQ", 4),
            ("QZ-JKQ", 2),
        ),
        "改造老旧小区水电气管网、外立面及公共空间，补齐养老托育等配套",
    ),
    UrbanArea("生态公园/绿道", 98, "park", _ALL_REGIONS, "建设公园绿地、绿道及生态修复工程"),
    UrbanArea("市政管网", 91, "pipes", _ALL_REGIONS, "完善雨污分流、供水、燃气等市政管网"),
    UrbanArea("公共服务设施", 67, "public", _ALL_REGIONS, "建设学校、医院、文体、养老设施"),
)

NEW_INFRA_KINDS: tuple[tuple[str, str, str, str], ...] = (
    # name pattern, industry chain, company trade word, 建设内容
    ("{town}5G网络覆盖提升工程", "digital-economy", "通信技术", "新建5G基站及配套传输、电力设施"),
    ("{brand}数据中心项目", "digital-economy", "数据科技", "建设数据中心机房及供电制冷设施"),
    ("{brand}工业互联网平台项目", "digital-economy", "网络科技", "建设工业互联网平台及标识解析"),
    ("智慧{smart}项目", "digital-economy", "信息技术", "建设感知设备、数据中台及应用系统"),
    ("{brand}智能制造数字化车间项目", "electronics", "智能科技", "建设数字化车间及生产执行系统"),
    ("{town}新能源汽车充电站建设项目", "new-energy", "新能源科技", "建设公共充电桩及配套电力设施"),
    ("{brand}储能电站项目", "new-energy", "储能科技", "建设电化学储能电站及升压站"),
    ("{town}分布式光伏发电项目", "new-energy", "光伏科技", "利用厂房屋顶建设分布式光伏电站"),
)  # fmt: skip
SMART_DOMAINS: tuple[str, ...] = (
    "城市", "交通", "水务", "园区", "社区", "停车", "教育", "医疗", "城管", "应急",
)  # fmt: skip

# Concentrated start days (全市重大项目集中开工) and signing days (集中签约) in 2022.
START_CEREMONIES: tuple[tuple[dt.date, str], ...] = (
    (dt.date(2022, 2, 16), "参加全市2022年第一季度重大项目集中开工活动"),
    (dt.date(2022, 5, 18), "参加全市2022年第二季度重大项目集中开工活动"),
    (dt.date(2022, 8, 26), "参加全市2022年第三季度重大项目集中开工活动"),
    (dt.date(2022, 11, 15), "参加全市2022年第四季度重大项目集中开工活动"),
)
SIGNING_CEREMONIES: tuple[tuple[dt.date, str], ...] = (
    (dt.date(2022, 2, 22), "在全市2022年重大招商项目云签约活动上签约"),
    (dt.date(2022, 4, 26), "在“项目攻坚2022”招商项目集中签约活动上签约"),
    (dt.date(2022, 6, 18), "在第二十届“6·18”中国·海峡项目成果交易会上签约"),
    (dt.date(2022, 9, 8), "在第二十二届中国国际投资贸易洽谈会上签约"),
    (dt.date(2022, 11, 18), "在泉州市2022年第四季度重大项目集中签约活动上签约"),
)
# Weights of Jan…Nov for signings: quiet around the Spring Festival, a half-year push in June.
SIGNING_MONTH_WEIGHTS: tuple[int, ...] = (5, 3, 8, 9, 10, 14, 10, 9, 12, 9, 8)
# Weights of Jan…Nov for 2022 starts, and of Jan…Dec for 2021 starts.
START_MONTH_WEIGHTS_2022: tuple[int, ...] = (6, 5, 10, 10, 10, 11, 9, 8, 10, 9, 8)
START_MONTH_WEIGHTS_2021: tuple[int, ...] = (4, 3, 7, 8, 9, 10, 8, 8, 10, 10, 11, 12)

SUSPENSION_REASONS: tuple[str, ...] = (
    "因资金未到位停缓建",
    "因规划调整暂缓建设",
    "因市场变化业主暂缓投资",
    "因用地手续未完善暂停施工",
)


@dataclass(frozen=True)
class DemoUser:
    """A demo login: who they are, and the one role they hold."""

    username: str
    display_name: str
    role: str
    region_code: str
    department_code: str = ""
    is_staff: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("city_admin", "陈志强", Role.CITY_ADMIN, CITY_CODE, is_staff=True),
    DemoUser("city_reviewer", "林晓燕", Role.CITY_REVIEWER, CITY_CODE),
    DemoUser("leader", "王国栋", Role.LEADER, CITY_CODE),
    DemoUser("lichen_filer", "黄伟明", Role.DISTRICT_FILER, "350502"),
    DemoUser("lichen_reviewer", "郑文斌", Role.DISTRICT_REVIEWER, "350502"),
    DemoUser("fengze_filer", "吴淑芬", Role.DISTRICT_FILER, "350503"),
    DemoUser("jinjiang_filer", "许建华", Role.DISTRICT_FILER, "350582"),
    DemoUser("taishang_filer", "蔡丽琴", Role.DISTRICT_FILER, "QZ-TZQ"),
    DemoUser("zsj_officer", "刘佳慧", Role.DEPARTMENT, CITY_CODE, department_code="zsj"),
    # Accounts and roles are a separate duty (等保 level 3): this login manages users, reads the
    # audit log and sees no business data.
    DemoUser("security_admin", "何静", Role.SECURITY_ADMIN, CITY_CODE),
)
# The other districts' filers and reviewers: they file and check the demo's monthly reports, so
# every status change has a person behind it. Same password as the demo logins above.
DISTRICT_STAFF: tuple[DemoUser, ...] = (
    DemoUser("fengze_reviewer", "庄雅琳", Role.DISTRICT_REVIEWER, "350503"),
    DemoUser("luojiang_filer", "苏志伟", Role.DISTRICT_FILER, "350504"),
    DemoUser("luojiang_reviewer", "骆秀英", Role.DISTRICT_REVIEWER, "350504"),
    DemoUser("quangang_filer", "林振华", Role.DISTRICT_FILER, "350505"),
    DemoUser("quangang_reviewer", "连美玲", Role.DISTRICT_REVIEWER, "350505"),
    DemoUser("huian_filer", "张鹏飞", Role.DISTRICT_FILER, "350521"),
    DemoUser("huian_reviewer", "曾丽娟", Role.DISTRICT_REVIEWER, "350521"),
    DemoUser("anxi_filer", "李清泉", Role.DISTRICT_FILER, "350524"),
    DemoUser("anxi_reviewer", "詹惠珍", Role.DISTRICT_REVIEWER, "350524"),
    DemoUser("yongchun_filer", "颜志明", Role.DISTRICT_FILER, "350525"),
    DemoUser("yongchun_reviewer", "尤秋菊", Role.DISTRICT_REVIEWER, "350525"),
    DemoUser("dehua_filer", "苏国庆", Role.DISTRICT_FILER, "350526"),
    DemoUser("dehua_reviewer", "涂美华", Role.DISTRICT_REVIEWER, "350526"),
    DemoUser("shishi_filer", "施明辉", Role.DISTRICT_FILER, "350581"),
    DemoUser("shishi_reviewer", "邱慧敏", Role.DISTRICT_REVIEWER, "350581"),
    DemoUser("jinjiang_reviewer", "洪晓东", Role.DISTRICT_REVIEWER, "350582"),
    DemoUser("nanan_filer", "傅志坚", Role.DISTRICT_FILER, "350583"),
    DemoUser("nanan_reviewer", "戴淑华", Role.DISTRICT_REVIEWER, "350583"),
    DemoUser("taishang_reviewer", "骆建新", Role.DISTRICT_REVIEWER, "QZ-TZQ"),
    DemoUser("jingkai_filer", "杨帆", Role.DISTRICT_FILER, "QZ-JKQ"),
    DemoUser("jingkai_reviewer", "柯丽萍", Role.DISTRICT_REVIEWER, "QZ-JKQ"),
)
# What city_admin may do in the Django admin: the reference data, and reading the rest.
CITY_ADMIN_ADMIN_PERMISSIONS: tuple[str, ...] = (
    "regions.view_region",
    "regions.change_region",
    "regions.view_assessmentgroup",
    "regions.add_assessmentgroup",
    "regions.change_assessmentgroup",
    "accounts.view_user",
    "accounts.add_user",
    "accounts.change_user",
    "accounts.view_membership",
    "accounts.add_membership",
    "accounts.change_membership",
    "accounts.delete_membership",
    "accounts.view_department",
    "accounts.add_department",
    "accounts.change_department",
    "accounts.view_apitoken",
    "accounts.change_apitoken",
    "projects.view_category",
    "projects.change_category",
    "projects.view_industrychain",
    "projects.change_industrychain",
    "projects.view_project",
    "projects.view_stageevent",
    "parks.view_park",
    "parks.view_enterprise",
    "audit.view_auditevent",
)


# --- monthly reporting ----------------------------------------------------------------------

DEMO_ZONE = ZoneInfo("Asia/Shanghai")
# Months filed and reviewed (2022-01 … 2022-10 closed, 2022-11 still in review); then the open
# month nobody has filed for yet.
REPORTED_MONTHS: tuple[dt.date, ...] = tuple(dt.date(2022, month, 1) for month in range(1, 12))
CLOSED_MONTHS: tuple[dt.date, ...] = REPORTED_MONTHS[:-1]
EMPTY_OPEN_MONTH = dt.date(2022, 12, 1)
# Reports are due on this day of the following month.
REPORT_DUE_DAY = 5

# How a year's investment spreads over Jan…Dec: little around the Spring Festival (Jan, Feb),
# then rising, with pushes to close the half-year and the third quarter (Jun, Sep).
INVESTMENT_MONTH_WEIGHTS: tuple[int, ...] = (50, 45, 80, 85, 90, 100, 90, 95, 100, 95, 100, 100)
# How much of a district's pace shows in what it invests: at 60, a district of pace 1.25 completes
# 115% of its annual plans and one of pace 0.65 completes 79%.
PACE_EFFECT_PERCENT = 60
# Shares of the closed months' reports filed late (for a district of pace 1.0: slower districts
# are later more often), returned once by the district's reviewer before approval, and (January,
# February) with no works at all over the Spring Festival.
LATE_SHARE = 0.03
RETURNED_ONCE_SHARE = 0.002
SPRING_FESTIVAL_PAUSE_SHARE = 0.05
# How the open month (2022-11) stands on the demo's "today", in weights: city approved, district
# approved, submitted, returned, not yet filed (the last two weigh more in slower districts).
OPEN_MONTH_STATUS_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("city_approved", 850),
    ("district_approved", 80),
    ("submitted", 60),
    ("returned", 20),
    ("missing", 40),
)

# Work-free days of 2022 in the filing windows (Spring Festival, Qingming, Labour Day, Dragon Boat,
# Mid-Autumn, National Day): nobody files or reviews on them.
HOLIDAYS_2022: tuple[tuple[dt.date, dt.date], ...] = (
    (dt.date(2022, 1, 31), dt.date(2022, 2, 6)),
    (dt.date(2022, 4, 3), dt.date(2022, 4, 5)),
    (dt.date(2022, 4, 30), dt.date(2022, 5, 4)),
    (dt.date(2022, 6, 3), dt.date(2022, 6, 5)),
    (dt.date(2022, 9, 10), dt.date(2022, 9, 12)),
    (dt.date(2022, 10, 1), dt.date(2022, 10, 7)),
)

DISTRICT_RETURN_REASONS: tuple[str, ...] = (
    "形象进度描述过于笼统，请补充本月完成的具体工程量。",
    "本月完成投资较上月明显偏高，请核实后重新报送。",
    "完成投资与形象进度不匹配，请核实。",
    "请补充本月现场施工照片。",
    "本月完成投资含设备预付款，请按实际完成工作量填报。",
)
CITY_RETURN_REASONS: tuple[str, ...] = (
    "本月完成投资与统计部门入库数据差异较大，请核实。",
    "形象进度与现场督查情况不符，请核实后重新报送。",
)
SPRING_FESTIVAL_PAUSE_TEXT = "春节假期停工，本月未完成投资，节后组织复工复产"
SUSPENDED_TEXT = "{reason}，本月未完成投资"
COMPLETED_TEXTS: tuple[str, ...] = (
    "主体工程完工，通过竣工验收",
    "完成竣工验收，进入工程结算",
    "完成竣工验收并移交使用",
)

# What a project looks like at each share of its works, by kind of works: (up to this percent
# done, ways of saying it). {step} is how far the current step is (10 … 90 %), {floor} the storey
# the structure has reached, {km} the length laid, {count} the units installed.
PROGRESS_STEPS: dict[str, tuple[tuple[int, tuple[str, ...]], ...]] = {
    "building": (
        (8, ("场地平整及临时设施搭建", "基坑支护及土方开挖")),
        (20, ("桩基施工完成{step}%", "基础承台及地梁施工")),
        (50, ("主体结构施工至{floor}层", "主体结构施工至{floor}层，同步开展砌体施工")),
        (60, ("主体结构封顶，二次结构砌筑中",)),
        (80, ("外墙装饰及幕墙施工", "机电安装及室内装修施工")),
        (100, ("设备安装调试中", "室外管网施工", "室外配套及绿化施工")),
    ),
    "factory": (
        (8, ("场地平整及临时设施搭建", "厂区土方开挖及回填")),
        (25, ("桩基施工完成{step}%", "厂房基础及地梁施工")),
        (50, ("钢结构厂房吊装完成{step}%", "综合楼主体结构施工至{floor}层")),
        (70, ("厂房屋面及墙面围护施工", "厂房封顶，开展设备基础施工")),
        (90, ("生产设备进场安装", "设备安装调试中")),
        (100, ("设备安装调试中", "室外管网施工", "试生产准备")),
    ),
    "retrofit": (
        (30, ("旧厂房改造及设备采购", "设备选型及采购合同签订")),
        (70, ("生产设备进场安装，完成{step}%", "智能化生产线安装中")),
        (100, ("设备安装调试中", "生产线联动调试试运行")),
    ),
    "road": (
        (15, ("征迁及管线迁改", "清表及临时便道施工")),
        (45, ("路基填筑完成{step}%", "软基处理及雨污水管道施工")),
        (70, ("桥涵下部结构施工", "路面水稳层施工")),
        (90, ("沥青路面摊铺", "人行道及侧平石施工")),
        (100, ("交通标志标线及绿化施工", "路灯及附属设施施工")),
    ),
    "pipes": (
        (15, ("管材进场，沟槽开挖", "施工围挡及管线探测")),
        (85, ("管网敷设完成{km}公里", "管网敷设完成{km}公里，检查井砌筑中")),
        (100, ("闭水试验及路面恢复", "管道冲洗消毒及路面恢复")),
    ),
    "landscape": (
        (20, ("场地清表及土方造型", "护岸基础施工")),
        (60, ("园路铺装完成{step}%", "护岸砌筑完成{step}%", "步道铺装完成{step}%")),
        (90, ("苗木种植完成{step}%", "景观小品及照明施工")),
        (100, ("绿化养护及附属设施完善",)),
    ),
    "renewal": (
        (15, ("入户调查及改造方案公示",)),
        (50, ("雨污管网及强弱电改造", "外立面改造完成{step}%")),
        (85, ("外立面改造完成{step}%", "已加装电梯{count}部")),
        (100, ("公共空间及绿化提升", "小区道路及停车位改造")),
    ),
    "rebuild": (
        (20, ("征收签约完成{step}%", "房屋拆除及场地清理")),
        (45, ("安置房桩基施工完成{step}%", "安置房基础施工")),
        (75, ("安置房主体结构施工至{floor}层",)),
        (100, ("安置房装饰装修施工", "室外配套及景观施工")),
    ),
    "oldtown": (
        (15, ("现状测绘及方案深化", "历史建筑保护修缮方案评审")),
        (60, ("立面整治完成{step}%", "强弱电管线下地施工")),
        (90, ("街巷石板铺装", "历史建筑修缮施工")),
        (100, ("夜景照明安装及街巷环境提升",)),
    ),
    "telecom": (
        (20, ("基站选址及物业协调",)),
        (90, ("已新建5G基站{count}个", "已新建5G基站{count}个，传输配套施工中")),
        (100, ("基站开通及网络优化",)),
    ),
    "datacentre": (
        (40, ("机房土建施工", "机房主体结构施工至{floor}层")),
        (80, ("供配电及制冷设备安装", "已上架机柜{count}个")),
        (100, ("系统联调及等保测评",)),
    ),
    "charging": (
        (20, ("场地勘察及电力增容报装",)),
        (90, ("已安装充电桩{count}个", "已安装充电桩{count}个，箱变安装中")),
        (100, ("充电设施调试及验收",)),
    ),
    "solar": (
        (20, ("屋顶荷载评估及支架基础施工",)),
        (85, ("光伏组件安装完成{step}%",)),
        (100, ("逆变器安装及并网调试",)),
    ),
    "storage": (
        (25, ("场地平整及基础施工",)),
        (80, ("储能电池舱安装", "升压站土建施工")),
        (100, ("升压站设备安装调试中",)),
    ),
    "platform": (
        (20, ("需求调研及方案设计",)),
        (70, ("平台开发完成{step}%", "已安装感知设备{count}套")),
        (100, ("系统联调测试", "试运行及数据接入")),
    ),
}
# The range a project's height ({floor}: the storey its structure reaches when done) and its size
# in units ({count}, or for pipes {km} in tenths of a kilometre) are drawn from, by kind of works.
PROGRESS_FLOORS: dict[str, tuple[int, int]] = {
    "building": (5, 24),
    "factory": (3, 6),
    "rebuild": (11, 32),
    "datacentre": (3, 6),
}
PROGRESS_UNITS: dict[str, tuple[int, int]] = {
    "pipes": (20, 250),
    "renewal": (4, 40),
    "telecom": (40, 320),
    "datacentre": (200, 2400),
    "charging": (20, 200),
    "platform": (200, 3000),
}


# --- parks and enterprises (规上工业企业入园率) ----------------------------------------------

# 入园率 is read at the end of 2021 (the baseline the campaign document quotes: 晋江 29.81%) and
# at the demo's date; entries into parks run from 2015, so the rate rises year by year.
PARK_BASELINE_DATE = dt.date(2021, 12, 31)
PARK_ENTRY_FIRST_YEAR = 2015
# Demo park codes: "YQ-350582-01" (园区); the reset finds the demo's parks by this prefix.
PARK_CODE_PREFIX = "YQ"
# How entries before 2022 spread over 2015…2021: more each year as the park drive picks up.
PARK_ENTRY_YEAR_WEIGHTS: tuple[tuple[int, int], ...] = (
    (2015, 7),
    (2016, 9),
    (2017, 11),
    (2018, 13),
    (2019, 14),
    (2020, 15),
    (2021, 17),
)
# Entries in 2022, January…November: slow around the Spring Festival, then steady.
PARK_ENTRY_MONTH_WEIGHTS_2022: tuple[int, ...] = (4, 3, 9, 10, 10, 11, 9, 10, 11, 10, 9)
# 升规纳统 in 2022 (first of the month the enterprise enters the statistics), January…November.
ABOVE_SCALE_MONTH_WEIGHTS_2022: tuple[int, ...] = (8, 2, 6, 8, 8, 10, 8, 8, 10, 8, 8)
# Years in which the enterprises above scale before 2022 entered the statistics.
ABOVE_SCALE_YEAR_WEIGHTS: tuple[tuple[int, int], ...] = (
    (2008, 6),
    (2009, 5),
    (2010, 6),
    (2011, 9),
    (2012, 7),
    (2013, 7),
    (2014, 7),
    (2015, 6),
    (2016, 7),
    (2017, 7),
    (2018, 8),
    (2019, 8),
    (2020, 7),
    (2021, 10),
)
# Of the enterprises that entered the statistics in 2022, the share already in a park.
NEW_ABOVE_SCALE_IN_PARK_SHARE = 0.5
# The share of below-scale (规下) enterprises in a park.
BELOW_SCALE_IN_PARK_SHARE = 0.3
# Industrial chains that make things: an industrial enterprise belongs to one of these.
MANUFACTURING_CHAINS: frozenset[str] = frozenset(
    {
        "textile-footwear",
        "petrochemical",
        "machinery",
        "building-materials",
        "food-beverage",
        "electronics",
        "medical-devices",
        "paper-printing",
        "crafts",
        "new-materials",
        "new-energy",
    }
)


@dataclass(frozen=True)
class ParkPlan:
    """How the demo fills one reporting unit's parks and enterprise roster."""

    code: str  # the region
    # The administrative division in the credit codes the unit's 市场监管局 issues. The two
    # functional zones register through the city's bureau.
    registry_division: str
    # Named parks first: (name, kind, planned area in 亩, standardised).
    named_parks: tuple[tuple[str, str, int, bool], ...]
    park_count: int  # named and generated
    above_scale: int  # above-scale industrial enterprises on DEMO_TODAY
    above_scale_2022: int  # of them, entered the statistics in 2022
    rate_2021: str  # 入园率 at PARK_BASELINE_DATE, percent (the in-park count is rounded)
    rate_today: str  # 入园率 on DEMO_TODAY, percent
    below_scale: int  # 规下 industrial enterprises on the roster
    # Above scale at the end of 2021 and dropped out of the statistics (退规) during 2022; they
    # stay on the roster, below scale.
    losing_2022: int = 0
    # In a park at the end of 2021, still above scale, and moved out of it during 2022.
    leaving_2022: int = 0


_DZ, _IP, _SM = "development_zone", "industrial_park", "small_micro_park"

PARK_PLANS: tuple[ParkPlan, ...] = (
    ParkPlan(
        code="350502",
        registry_division="350502",
        named_parks=(
            ("鲤城区江南高新技术产业园区", _DZ, 5200, True),
            ("鲤城区常泰工业区", _IP, 1500, False),
        ),
        park_count=2,
        above_scale=150,
        above_scale_2022=10,
        rate_2021="22",
        rate_today="25",
        below_scale=16,
        losing_2022=2,
        leaving_2022=1,
    ),
    ParkPlan(
        code="350503",
        registry_division="350503",
        named_parks=(
            ("丰泽区北峰工业区", _IP, 2600, True),
            ("丰泽区东海数字经济产业园", _IP, 900, False),
        ),
        park_count=3,
        above_scale=200,
        above_scale_2022=14,
        rate_2021="28",
        rate_today="31",
        below_scale=20,
        losing_2022=3,
        leaving_2022=1,
    ),
    ParkPlan(
        code="350504",
        registry_division="350504",
        named_parks=(
            ("洛江经济开发区", _DZ, 6800, True),
            ("洛江区万安工业区", _IP, 2200, True),
        ),
        park_count=4,
        above_scale=350,
        above_scale_2022=25,
        rate_2021="50",
        rate_today="54",
        below_scale=28,
        losing_2022=5,
        leaving_2022=3,
    ),
    ParkPlan(
        code="350505",
        registry_division="350505",
        named_parks=(
            ("泉港石化工业园区", _DZ, 15000, True),
            ("泉港区南埔工业区", _IP, 2400, False),
        ),
        park_count=4,
        above_scale=250,
        above_scale_2022=18,
        rate_2021="66",
        rate_today="70",
        below_scale=20,
        losing_2022=4,
        leaving_2022=3,
    ),
    ParkPlan(
        code="350521",
        registry_division="350521",
        named_parks=(
            ("泉惠石化工业区", _DZ, 12000, True),
            ("惠安经济开发区", _DZ, 5600, True),
            ("惠安县紫山石材工业园", _IP, 1800, False),
        ),
        park_count=6,
        above_scale=550,
        above_scale_2022=40,
        rate_2021="39",
        rate_today="43",
        below_scale=48,
        losing_2022=8,
        leaving_2022=4,
    ),
    ParkPlan(
        code="350524",
        registry_division="350524",
        named_parks=(
            ("安溪湖头光电产业园", _DZ, 6000, True),
            ("安溪经济开发区城东园", _DZ, 3500, True),
        ),
        park_count=5,
        above_scale=400,
        above_scale_2022=30,
        rate_2021="37",
        rate_today="41",
        below_scale=36,
        losing_2022=6,
        leaving_2022=3,
    ),
    ParkPlan(
        code="350525",
        registry_division="350525",
        named_parks=(
            ("永春县榜德工业园", _IP, 2600, True),
            ("永春县蓬壶工业区", _IP, 1400, False),
        ),
        park_count=4,
        above_scale=300,
        above_scale_2022=22,
        rate_2021="34",
        rate_today="38",
        below_scale=28,
        losing_2022=5,
        leaving_2022=2,
    ),
    ParkPlan(
        code="350526",
        registry_division="350526",
        named_parks=(
            ("德化陶瓷产业园区", _DZ, 4200, True),
            ("德化县城东工业区", _IP, 2100, True),
        ),
        park_count=4,
        above_scale=400,
        above_scale_2022=28,
        rate_2021="33",
        rate_today="36",
        below_scale=44,
        losing_2022=6,
        leaving_2022=2,
    ),
    ParkPlan(
        code="350581",
        registry_division="350581",
        named_parks=(
            ("石狮市鸿山伍堡工业区", _IP, 3600, True),
            ("石狮市灵秀工业区", _IP, 2100, False),
        ),
        park_count=4,
        above_scale=600,
        above_scale_2022=40,
        rate_2021="32",
        rate_today="35",
        below_scale=52,
        losing_2022=9,
        leaving_2022=4,
    ),
    ParkPlan(
        code="350582",
        registry_division="350582",
        named_parks=(
            ("晋江经济开发区（五里园）", _DZ, 12000, True),
            ("晋江经济开发区（安东园）", _DZ, 8500, True),
            ("晋江集成电路产业园区", _DZ, 6000, True),
            ("晋江市陈埭鞋业工业区", _IP, 2800, False),
            ("晋江市深沪科技工业园", _IP, 2200, False),
            ("晋江市磁灶陶瓷产业园", _IP, 2000, False),
        ),
        park_count=10,
        above_scale=1700,
        above_scale_2022=130,
        rate_2021="29.81",
        rate_today="34.1",
        below_scale=152,
        losing_2022=27,
        leaving_2022=9,
    ),
    ParkPlan(
        code="350583",
        registry_division="350583",
        named_parks=(
            ("南安经济开发区", _DZ, 7500, True),
            ("南安光电信息产业基地", _DZ, 5000, True),
            ("南安市水头石材产业园", _IP, 3200, False),
            ("南安市仑苍水暖厨卫工业园", _IP, 2600, True),
        ),
        park_count=7,
        above_scale=900,
        above_scale_2022=65,
        rate_2021="37",
        rate_today="40",
        below_scale=72,
        losing_2022=14,
        leaving_2022=6,
    ),
    ParkPlan(
        code="QZ-TZQ",
        registry_division="350500",
        named_parks=(
            ("泉州台商投资区东园工业区", _IP, 4500, True),
            ("泉州台商投资区张坂产业园", _IP, 3000, True),
        ),
        park_count=4,
        above_scale=350,
        above_scale_2022=30,
        rate_2021="72",
        rate_today="76",
        below_scale=24,
        losing_2022=5,
        leaving_2022=4,
    ),
    ParkPlan(
        code="QZ-JKQ",
        registry_division="350500",
        named_parks=(
            ("泉州经济技术开发区清濛园区", _DZ, 8000, True),
            ("泉州经济技术开发区崇德园区", _DZ, 3500, True),
            ("泉州经济技术开发区德泰园区", _DZ, 2600, True),
            ("泉州经济技术开发区清华园区", _DZ, 1800, False),
        ),
        park_count=4,
        above_scale=300,
        above_scale_2022=22,
        rate_2021="82",
        rate_today="85",
        below_scale=16,
        losing_2022=5,
        leaving_2022=4,
    ),
)

# Generated park names: "晋江市" + a town + one of these.
PARK_NAME_WORDS: tuple[tuple[str, str], ...] = (
    ("工业区", _IP),
    ("工业园", _IP),
    ("产业园", _IP),
    ("科技园", _IP),
    ("小微企业园", _SM),
    ("小微企业创业园", _SM),
)
# Trade names (字号) of the enterprise roster: a head and a tail, e.g. 鸿 + 泰 → 鸿泰.
TRADE_NAME_HEADS: tuple[str, ...] = (
    "鸿", "恒", "华", "宏", "嘉", "金", "永", "盛", "泰", "兴", "隆", "源", "丰", "达", "鑫",
    "顺", "德", "利", "信", "荣", "凯", "博", "新", "联", "福", "祥", "瑞", "宝", "明", "昌",
    "佳", "晟", "亿", "锦", "富", "安", "腾", "伟", "长", "众",
)  # fmt: skip
TRADE_NAME_TAILS: tuple[str, ...] = (
    "泰", "兴", "达", "盛", "源", "丰", "隆", "发", "利", "昌", "顺", "祥", "辉", "鑫", "成",
    "信", "宇", "诚", "润", "益", "峰", "荣", "晟", "恒", "通", "远", "锋", "嘉", "美", "豪",
)  # fmt: skip
ENTERPRISE_SUFFIXES: tuple[tuple[str, int], ...] = (
    ("有限公司", 14),
    ("科技有限公司", 4),
    ("股份有限公司", 3),
    ("实业有限公司", 2),
    ("集团有限公司", 1),
)
