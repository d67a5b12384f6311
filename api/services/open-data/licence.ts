// What every open-data file and the /data/ page say about reuse and freshness (issue 24, item 5).

export const openDataPublisher = '丽水市市场监督管理局'

/** The licence the files are published under, as a sentence a reader can act on. */
export const openDataLicence =
  '本数据按知识共享署名 4.0 国际许可协议（CC BY 4.0）开放：可免费复制、分发、改编和商用，使用时请注明来源“丽水市市场监督管理局诚信计量公开平台”。'

export const openDataLicenceUrl = 'https://creativecommons.org/licenses/by/4.0/deed.zh-hans'
