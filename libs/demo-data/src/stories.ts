import type { CaseKind, VisitReason } from '#domain';

/**
 * What a demo case is about, as a template: `{estate}`, `{building}` and `{unit}` are filled in
 * with a residential compound, a building and the unit the case is filed at.
 */
export interface Story {
  readonly title: string;
  readonly description: string;
  /** Progress notes staff add while working on it (contact, visit, mediation, as fits the kind). */
  readonly notes: readonly string[];
  /** How it was settled: the summary of a resolution. */
  readonly resolution: string;
  /** Disputes: the roles of the two sides. */
  readonly parties?: readonly [string, string];
  /** Suggestions: what an adoption takes up. */
  readonly adoption?: string;
  /** Visits: why the visit was made (六必访). */
  readonly visitReason?: VisitReason;
}

export const STORIES: Readonly<Record<CaseKind, readonly Story[]>> = {
  suggestion: [
    {
      title: '{estate}老旧小区加装电梯建议',
      description: '{estate}{building}共六层，住户多为老年人，上下楼十分不便。多数住户愿意分摊费用，建议社区牵头协调加装电梯，并协助办理审批手续。',
      notes: ['已电话联系建议人，了解住户意愿，约七成住户签字同意。', '社区召开楼栋议事会，听取高低层住户意见。', '已与街道城建办对接加装电梯补贴政策。'],
      resolution: '社区牵头成立加装电梯协调小组，完成住户意见征集和方案公示，已报街道申请补贴。',
      adoption: '将老旧小区加装电梯纳入年度民生实事项目，由社区牵头开展意愿征集和方案公示。',
    },
    {
      title: '建议在{estate}增设电动自行车集中充电桩',
      description: '{estate}居民电动自行车多，不少人从楼道私拉电线充电，存在火灾隐患。建议在小区空地增设集中充电桩和充电棚。',
      notes: ['已现场查看小区空地位置，初步选定东门内侧。', '已联系物业和供电部门，商议充电桩安装事宜。'],
      resolution: '物业在小区东门内侧建设充电棚一处，安装充电桩40个，已投入使用。',
      adoption: '在辖区老旧小区推广建设电动自行车集中充电设施，纳入消防安全专项整治。',
    },
    {
      title: '关于{unit}增设社区食堂的建议',
      description: '辖区独居和高龄老人较多，做饭不便。建议依托社区党群服务中心开办老年食堂，提供价格实惠的午餐和送餐服务。',
      notes: ['已走访辖区高龄老人二十余户，了解就餐需求。', '已与街道民政办沟通老年助餐点建设标准。'],
      resolution: '社区与爱心企业合作开办老年助餐点，每日供应午餐，八十岁以上老人享受优惠。',
      adoption: '推广社区老年助餐点建设，将助餐服务纳入居家养老服务体系。',
    },
    {
      title: '建议{estate}周边增设公交站点',
      description: '{estate}距最近的公交站步行需二十分钟，老人和学生出行不便。建议公交公司调整线路，在小区北门附近增设站点。',
      notes: ['已将建议转交区交通运输部门，等待线路评估结果。', '已联系建议人通报办理进展。'],
      resolution: '交通部门经评估，调整一条公交线路走向，在小区北门增设停靠站。',
      adoption: '优化辖区公交线网，在新建和偏远小区周边增设站点。',
    },
    {
      title: '关于{estate}垃圾分类投放点改造的建议',
      description: '{estate}垃圾投放点设在楼栋之间，夏季异味大，建议集中设置分类投放亭并定时定点投放，配备洗手池。',
      notes: ['已组织居民代表现场踏勘投放点位置。', '已与环卫所沟通清运时间调整。'],
      resolution: '小区改造分类投放亭四处，实行定时定点投放，配备洗手设施。',
      adoption: '在辖区推行垃圾分类定时定点投放，改造投放点。',
    },
    {
      title: '建议在{unit}开设四点半课堂',
      description: '双职工家庭孩子放学后无人照看，建议社区利用活动室开设四点半课堂，招募志愿者辅导作业。',
      notes: ['已征集志愿者十二名，其中退休教师五名。', '已与辖区小学沟通学生接送安排。'],
      resolution: '社区四点半课堂已开班，每周一至周五开放，首批接收学生三十名。',
      adoption: '在辖区社区推广四点半课堂，纳入青少年关爱服务项目。',
    },
    {
      title: '关于{estate}增设健身器材和休闲座椅的建议',
      description: '{estate}中心广场没有健身器材，老人只能站着聊天。建议增设适老健身器材和休闲座椅。',
      notes: ['已现场测量广场面积，征求周边住户意见。'],
      resolution: '已在中心广场安装健身器材八件、休闲座椅六组。',
      adoption: '将小区适老化健身设施配置纳入社区公共空间改造。',
    },
    {
      title: '建议规范{estate}周边早市经营秩序',
      description: '{estate}门口早市摊贩占道经营，早高峰车辆和行人通行困难，散场后垃圾遍地。建议划定经营区域、定时收摊。',
      notes: ['已联系城管中队现场查看，核实占道情况。', '已与摊贩代表座谈，听取意见。'],
      resolution: '在小区西侧空地划定便民早市区域，限定经营时间，安排专人保洁。',
      adoption: '在辖区推行便民早市规范化管理，划定经营区域和时间。',
    },
  ],
  grievance: [
    {
      title: '{estate}楼道堆放杂物存在消防隐患',
      description: '{estate}{building}一至三楼楼道堆放纸箱、旧家具和电动车电池，堵塞消防通道，多次向物业反映未见清理。',
      notes: ['已电话联系反映人，核实堆放位置。', '网格员上门查看，楼道确有大量杂物。', '已通知物业限期清理，并张贴告知书。'],
      resolution: '物业会同网格员清理楼道杂物三车，张贴消防安全提示，纳入日常巡查。',
    },
    {
      title: '{estate}地下室长期积水',
      description: '{estate}{building}地下室长期积水，散发异味，蚊虫滋生，影响一楼住户生活，请求尽快处理。',
      notes: ['已联系物业现场查看，积水约二十厘米。', '已协调排水公司检测管网，发现雨污管道堵塞。'],
      resolution: '排水公司疏通堵塞管道，物业抽排积水并消杀，积水问题已解决。',
    },
    {
      title: '{estate}路灯损坏夜间出行不便',
      description: '{estate}主干道有五盏路灯不亮已一个多月，晚上老人出门散步容易摔倒，请帮忙联系维修。',
      notes: ['已现场核实损坏路灯位置。', '已报市政路灯管理所。'],
      resolution: '路灯管理所更换灯具五套，已恢复照明。',
    },
    {
      title: '反映{estate}周边餐馆油烟扰民',
      description: '{estate}{building}底商餐馆排烟管道直通居民窗下，油烟和噪音严重扰民，夏天不敢开窗。',
      notes: ['已联系反映人了解情况。', '会同市场监管和生态环境部门现场检查油烟净化设施。'],
      resolution: '责令餐馆加装油烟净化设备并改造排烟管道，经复查油烟排放达标。',
    },
    {
      title: '{estate}物业服务不到位',
      description: '{estate}物业费按时缴纳，但公共区域卫生长期无人打扫，门禁损坏无人修理，业主意见很大。',
      notes: ['已约谈物业公司负责人。', '组织业主代表和物业召开协调会。'],
      resolution: '物业公司制定整改清单，增加保洁人员，修复门禁，社区每月督查。',
    },
    {
      title: '{estate}供暖温度不达标',
      description: '{estate}{building}今年供暖后室温只有十四五度，老人孩子受不了，热力公司一直说在排查。',
      notes: ['已联系热力公司，安排上门测温。', '测温结果室温15℃，低于标准。'],
      resolution: '热力公司更换单元阀门并清洗管道，复测室温19℃，达到标准。',
    },
    {
      title: '反映{estate}附近工地夜间施工噪音',
      description: '{estate}旁边工地经常施工到凌晨，机械噪音很大，严重影响居民休息，请求依法查处。',
      notes: ['已联系住建部门核实施工许可。', '夜间巡查发现工地超时施工，已现场制止。'],
      resolution: '住建部门对工地超时施工立案处罚，工地承诺夜间22时后停止高噪音作业。',
    },
    {
      title: '{estate}小区道路破损坑洼',
      description: '{estate}内部道路多处破损，雨天积水，电动车经过容易摔倒，请求修补。',
      notes: ['已现场查看，破损路面约120平方米。'],
      resolution: '利用维修资金对破损路面进行修补，已完工。',
    },
  ],
  dispute: [
    {
      title: '{estate}小区停车位纠纷',
      description: '{estate}业主反映自家购买的车位长期被他人占用，与占用车主多次交涉未果，双方发生争执，请求调解。',
      notes: ['已分别联系双方当事人了解情况。', '调解员组织双方在社区调解室面对面调解。', '物业提供车位产权和停车记录。'],
      resolution: '经调解，占用方承认错误并承诺不再占用，双方签订调解协议。',
      parties: ['车位业主', '占用车主'],
    },
    {
      title: '邻里噪音矛盾调解',
      description: '{estate}{building}楼下住户反映楼上住户经常深夜走动、拖拽家具，多次沟通无效，双方关系紧张。',
      notes: ['已上门走访楼上楼下两户。', '组织双方调解，楼上住户同意铺设地垫。'],
      resolution: '经调解，楼上住户铺设地垫并注意作息，楼下住户表示谅解，双方和好。',
      parties: ['楼下住户', '楼上住户'],
    },
    {
      title: '{estate}楼上漏水引发邻里纠纷',
      description: '{estate}{building}住户反映楼上卫生间漏水导致自家天花板发霉脱落，楼上住户不认可，拒绝维修赔偿。',
      notes: ['已联系物业上门查看漏水点。', '邀请第三方检测确认漏水来源为楼上防水层。', '组织双方协商维修和赔偿。'],
      resolution: '楼上住户负责重做防水并赔偿楼下装修损失，双方签订调解协议。',
      parties: ['楼下住户', '楼上住户'],
    },
    {
      title: '宅基地边界纠纷',
      description: '{unit}村民反映邻居新建院墙占用自家宅基地约半米，双方争执不下，请求村委会调处。',
      notes: ['已调阅宅基地确权资料。', '村调委会组织双方现场丈量。'],
      resolution: '依据确权资料现场确定边界，邻居同意拆除超出部分院墙，双方签订协议。',
      parties: ['申请人', '被申请人'],
    },
    {
      title: '拖欠装修工程款纠纷',
      description: '装修工人反映为{estate}业主装修房屋完工后，业主以质量问题为由拖欠工程款两万余元。',
      notes: ['已联系业主了解质量问题。', '组织双方和装修公司协商。'],
      resolution: '经调解，装修方返修瑕疵部分，业主分两次付清工程款。',
      parties: ['装修工人', '业主'],
    },
    {
      title: '{estate}养犬扰民纠纷',
      description: '{estate}住户反映邻居饲养大型犬，经常在楼道狂吠，且不拴绳遛狗，曾吓到小孩。',
      notes: ['已上门向养犬户宣传文明养犬规定。', '组织双方沟通。'],
      resolution: '养犬户承诺遛狗拴绳、办理犬证，邻里矛盾化解。',
      parties: ['反映人', '养犬户'],
    },
    {
      title: '赡养老人家庭纠纷',
      description: '{unit}八旬老人反映几个子女相互推诿，无人承担赡养费用和日常照顾，请求帮助调解。',
      notes: ['已走访老人了解生活状况。', '联系老人子女，组织家庭会议。'],
      resolution: '经调解，子女轮流照顾老人并按月支付赡养费，签订赡养协议。',
      parties: ['老人', '子女'],
    },
  ],
  risk: [
    {
      title: '{estate}外墙瓷砖脱落存在安全隐患',
      description: '{estate}{building}外墙瓷砖大面积空鼓，已有瓷砖从高处掉落，险些砸伤行人，请求尽快处置。',
      notes: ['网格员现场拉设警戒线，提醒居民绕行。', '已联系物业和维修单位。'],
      resolution: '维修单位对空鼓瓷砖进行清除和加固，隐患已消除。',
    },
    {
      title: '{estate}燃气管道疑似泄漏',
      description: '{estate}{building}楼道闻到明显燃气味，住户担心泄漏，请求马上派人检查。',
      notes: ['已通知燃气公司抢修，疏散楼道住户。'],
      resolution: '燃气公司检查发现阀门老化漏气，已更换阀门，复检无泄漏。',
    },
    {
      title: '{estate}电动车楼道充电安全隐患',
      description: '{estate}{building}有住户将电动车推入楼道并飞线充电，夜间无人看管，存在火灾风险。',
      notes: ['网格员上门劝导，拆除飞线。', '联合消防站开展入户宣传。'],
      resolution: '已清理楼道电动车，拆除飞线三处，引导住户使用集中充电桩。',
    },
    {
      title: '汛期{unit}河道堤坝渗水隐患',
      description: '连续降雨后{unit}河道堤坝出现渗水点，村民担心汛期安全，请求查看处置。',
      notes: ['已组织人员巡堤，设置警示标识。', '水利部门到场查勘。'],
      resolution: '水利部门对渗水点进行封堵加固，安排汛期每日巡查。',
    },
    {
      title: '{estate}独居老人失联',
      description: '{estate}{building}独居老人两天未出门，电话无人接听，邻居担心发生意外。',
      notes: ['网格员联系老人子女并上门查看。'],
      resolution: '经上门查看，老人身体不适卧床，已送医治疗并通知子女照顾。',
    },
    {
      title: '{estate}化粪池盖板破损',
      description: '{estate}化粪池盖板破损塌陷，位置靠近儿童游乐区，存在坠落危险。',
      notes: ['已设置围挡和警示牌。'],
      resolution: '物业更换加固盖板，隐患已消除。',
    },
  ],
  hardship: [
    {
      title: '低保申请咨询',
      description: '{estate}居民反映丈夫因病去世，本人无固定收入，独自抚养孩子，咨询能否申请最低生活保障。',
      notes: ['已入户了解家庭收入和财产情况。', '指导申请人准备低保申请材料。'],
      resolution: '已协助提交低保申请，经审核符合条件，纳入低保保障范围。',
    },
    {
      title: '重病患者医疗救助申请',
      description: '{estate}居民患尿毒症需长期透析，医疗费用负担沉重，家庭陷入困境，请求帮助申请医疗救助。',
      notes: ['已核实病情和医疗支出。', '协助联系区医保局了解大病救助政策。'],
      resolution: '已协助申请临时救助和大病医疗救助，并链接慈善资源帮扶。',
    },
    {
      title: '残疾人就业帮扶',
      description: '{unit}肢体残疾青年希望找到合适工作，家庭收入低，请求提供就业帮助。',
      notes: ['已与区残联对接就业岗位。', '推荐参加电商技能培训。'],
      resolution: '已推荐至辖区企业从事客服工作，并办理残疾人就业补贴。',
    },
    {
      title: '困难家庭学生助学申请',
      description: '{estate}居民家庭困难，孩子考上大学但学费无着落，请求帮助。',
      notes: ['已核实家庭经济状况。', '联系教育部门了解助学政策。'],
      resolution: '已协助申请生源地助学贷款，并落实社会爱心资助。',
    },
    {
      title: '高龄老人居家养老服务申请',
      description: '{estate}九旬老人子女在外地，生活自理困难，申请居家养老上门服务。',
      notes: ['已上门评估老人身体状况。'],
      resolution: '已为老人申请政府购买居家养老服务，每周上门服务三次。',
    },
    {
      title: '失业人员再就业求助',
      description: '{estate}居民所在企业倒闭后失业半年，家中老人患病，请求帮助介绍工作。',
      notes: ['已登记求职意向。', '推荐参加社区招聘会。'],
      resolution: '经推荐在辖区物业公司就业，并办理失业登记和就业补贴。',
    },
  ],
  visit: [
    {
      title: '走访{estate}住院老人',
      description: '网格员获悉{estate}{building}老党员因病住院，需上门了解情况，帮助解决困难。',
      notes: ['已到医院看望，送去慰问品。', '了解到家属陪护困难，联系志愿者轮流陪护。'],
      resolution: '已看望慰问，协调志愿者陪护，老人已康复出院。',
      visitReason: 'hospital',
    },
    {
      title: '{estate}家庭矛盾上门走访',
      description: '网格员了解到{estate}{building}一户夫妻近期争吵激烈，需上门走访，防止矛盾激化。',
      notes: ['已上门与双方分别谈心。', '邀请调解员进行家庭调解。'],
      resolution: '经走访疏导，夫妻双方矛盾缓和，约定定期回访。',
      visitReason: 'family_conflict',
    },
    {
      title: '{estate}居民家中丧事慰问',
      description: '{estate}居民家中老人去世，网格员需上门慰问，了解有无需要帮助的事项。',
      notes: ['已上门慰问家属，协助联系殡葬服务。'],
      resolution: '已慰问家属，协助办理丧葬补助申领手续。',
      visitReason: 'bereavement',
    },
    {
      title: '走访{estate}困难家庭',
      description: '{estate}低保户家庭主要劳动力受伤，需上门了解生活困难。',
      notes: ['已上门走访，核实家庭收支。', '送去米面油等生活物资。'],
      resolution: '已发放临时救助金，落实结对帮扶干部。',
      visitReason: 'hardship',
    },
    {
      title: '节日走访慰问{estate}独居老人',
      description: '节日前夕走访{estate}独居和高龄老人，送去节日慰问，检查用电用气安全。',
      notes: ['已走访独居老人八户，检查家中用电用气安全。'],
      resolution: '节日慰问已完成，为两户更换老化电线。',
      visitReason: 'festival',
    },
    {
      title: '{estate}居民家中喜事走访',
      description: '{estate}居民家中举办婚礼，网格员上门道贺，宣传移风易俗、文明办事。',
      notes: ['已上门道贺，宣传婚事新办。'],
      resolution: '已走访宣传，婚礼简朴文明举办。',
      visitReason: 'important_event',
    },
  ],
};

/** Compounds: two or three per unit, chosen by the unit's place in the list. */
export const ESTATES: readonly string[] = [
  '幸福里小区', '东关花园', '文化苑', '锦绣家园', '和平新村', '阳光小区', '翠湖苑', '湖滨嘉园',
  '桃源居', '柳岸人家', '建设里', '育才小区', '金色家园', '春晖苑', '铁路新村', '滨河小区',
];

export const SURNAMES: readonly string[] = [
  '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗', '郑', '梁', '谢', '宋', '唐', '韩', '冯', '于', '董', '曹',
];

export const GIVEN_NAME_PARTS: readonly string[] = [
  '建', '国', '华', '明', '丽', '芳', '伟', '静', '敏', '军', '秀', '英', '强', '红', '玉', '兰', '平', '刚', '桂', '志', '海', '霞', '德', '文', '春', '燕', '荣', '宏', '淑', '凤',
];

/** What an unsatisfied filer says, and a satisfied one. */
export const FEEDBACK_COMMENTS = {
  satisfied: ['处理及时，非常满意。', '感谢社区的帮助！', '办得很好，工作人员很耐心。', '问题解决了，谢谢。'],
  basically_satisfied: ['基本解决，希望以后多巡查。', '处理结果还行，就是时间有点长。'],
  unsatisfied: ['问题没有真正解决，还是老样子。', '只是口头答复，没有实际行动。', '处理结果不满意，要求重新处理。'],
} as const;

export const REJECTION_REASONS: readonly string[] = [
  '该事项属于法院诉讼程序，不属于本平台受理范围，已告知当事人依法诉讼。',
  '反映内容为个人商业纠纷，已引导当事人通过仲裁途径解决。',
  '经核实为重复反映，已告知查询原件办理进度。',
];

export const WITHDRAWAL_REASONS: readonly string[] = [
  '当事人双方已自行协商解决，反映人申请撤回。',
  '反映人表示问题已由物业处理，不再需要跟进。',
];

export const CLOSE_WITHOUT_FEEDBACK: readonly string[] = [
  '多次电话回访未接通，已按程序办结。',
  '反映人匿名，无法回访，已按程序办结。',
];
