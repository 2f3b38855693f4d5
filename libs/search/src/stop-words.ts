/**
 * Words that occur in nearly every complaint and so say nothing about its topic: function words,
 * pronouns, and the stock phrases of a filing (反映, 问题, 希望, 要求, 情况…). Curated for
 * 社情民意 filings rather than taken from a general list, which would drop words such as 安全 or 环境
 * that are topics here. Single characters and numbers are dropped separately (isTopicTerm).
 */
const STOP_WORDS = new Set([
  // function words and pronouns
  '我们', '你们', '他们', '她们', '它们', '自己', '大家', '这个', '那个', '这些', '那些', '这里', '那里', '这样', '那样',
  '什么', '怎么', '如何', '为什么', '哪里', '哪些', '其中', '其他', '其它', '以及', '并且', '而且', '或者', '还是',
  '但是', '可是', '因为', '所以', '因此', '如果', '虽然', '然后', '而是', '只是', '就是', '还有', '已经', '一直',
  '一些', '一下', '一个', '一种', '一次', '没有', '不是', '不能', '不会', '不要', '可以', '可能', '应该', '需要',
  '能够', '进行', '通过', '对于', '关于', '由于', '根据', '按照', '为了', '之后', '之前', '以后', '以前', '以来',
  '目前', '现在', '当时', '时候', '期间', '经常', '非常', '比较', '特别', '十分', '严重', '多次', '很多', '许多',
  '所有', '每天', '每次', '有关', '相关', '方面', '等等', '左右', '之间', '出现', '存在', '造成', '导致', '发生',
  '有人', '某些', '各种', '没人', '无人', '至今', '仍然', '依然', '还是', '只有', '而且', '甚至', '并未', '尚未',
  // stock phrases of a filing
  '反映', '问题', '情况', '希望', '要求', '请求', '建议', '诉求', '解决', '处理', '协调', '帮助', '帮忙', '尽快',
  '及时', '有关部门', '相关部门', '部门', '群众', '居民', '市民', '村民', '本人', '来电', '来访', '投诉', '举报',
  '咨询', '表示', '称', '认为', '了解', '核实', '落实', '关注', '影响', '给予', '予以', '一事', '事情', '事宜',
]);

export function isStopWord(term: string): boolean {
  return STOP_WORDS.has(term);
}
