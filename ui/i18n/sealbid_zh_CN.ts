<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en_US">
<context>
    <name>BiddersModel</name>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Credit code</source>
        <translation>信用代码</translation>
    </message>
    <message>
        <source>Signed in</source>
        <translation>签到时间</translation>
    </message>
    <message>
        <source>Decryption</source>
        <translation>解密状态</translation>
    </message>
    <message>
        <source> (you)</source>
        <translation>（我方）</translation>
    </message>
    <message>
        <source>not signed in</source>
        <translation>未签到</translation>
    </message>
</context>
<context>
    <name>BoardModel</name>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Unified social credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <source>Signed in at</source>
        <translation>签到时间</translation>
    </message>
    <message>
        <source>Released at</source>
        <translation>解密开始时间</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>解密状态</translation>
    </message>
    <message>
        <source>Ended at</source>
        <translation>解密结束时间</translation>
    </message>
    <message>
        <source>Cause</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>未签到</translation>
    </message>
</context>
<context>
    <name>CertDetailsView</name>
    <message>
        <source>Certificate details</source>
        <translation>证书详情</translation>
    </message>
    <message>
        <source>The certificates of this file are shown once it has been opened with its password.</source>
        <translation>用密码打开此文件后，才会显示其中的证书。</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>使用者</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Unified social credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <source>Issuer</source>
        <translation>颁发者</translation>
    </message>
    <message>
        <source>Serial number</source>
        <translation>序列号</translation>
    </message>
    <message>
        <source>Valid from</source>
        <translation>有效期自</translation>
    </message>
    <message>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Key usage</source>
        <translation>密钥用法</translation>
    </message>
    <message>
        <source>Key type</source>
        <translation>密钥类型</translation>
    </message>
    <message>
        <source>SHA-256 fingerprint</source>
        <translation>SHA-256 指纹</translation>
    </message>
    <message>
        <source>The encryption certificate is shown after the first login.</source>
        <translation>首次登录后显示加密证书。</translation>
    </message>
</context>
<context>
    <name>CertText</name>
    <message>
        <source>Signing certificate</source>
        <translation>签名证书</translation>
    </message>
    <message>
        <source>Encryption certificate</source>
        <translation>加密证书</translation>
    </message>
    <message>
        <source>Certificate (signing and encryption)</source>
        <translation>证书（签名和加密）</translation>
    </message>
    <message>
        <source>digital signature</source>
        <translation>数字签名</translation>
    </message>
    <message>
        <source>non-repudiation</source>
        <translation>不可否认</translation>
    </message>
    <message>
        <source>key encipherment</source>
        <translation>密钥加密</translation>
    </message>
    <message>
        <source>data encipherment</source>
        <translation>数据加密</translation>
    </message>
    <message>
        <source>key agreement</source>
        <translation>密钥协商</translation>
    </message>
    <message>
        <source>certificate signing</source>
        <translation>证书签名</translation>
    </message>
    <message>
        <source>CRL signing</source>
        <translation>CRL 签名</translation>
    </message>
    <message>
        <source>not restricted</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Not yet valid</source>
        <translation>尚未生效</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>Expires soon: {0} day(s) left</source>
        <translation>即将过期：剩余 {0} 天</translation>
    </message>
    <message>
        <source>Valid, {0} day(s) left</source>
        <translation>有效，剩余 {0} 天</translation>
    </message>
    <message>
        <source>Sandbox demo</source>
        <translation>沙箱演示</translation>
    </message>
    <message>
        <source>USB key</source>
        <translation>CA锁</translation>
    </message>
    <message>
        <source>Signed in</source>
        <translation>当前登录</translation>
    </message>
    <message>
        <source>Certificate file</source>
        <translation>证书文件</translation>
    </message>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主持人</translation>
    </message>
    <message>
        <source>Recorder</source>
        <translation>记录人</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>监督人</translation>
    </message>
    <message>
        <source>Platform administrator</source>
        <translation>平台管理员</translation>
    </message>
    <message>
        <source>{0} — {1}: expired at {2}.</source>
        <translation>{0} — {1}：已于 {2} 过期。</translation>
    </message>
    <message>
        <source>{0} — {1}: not valid before {2}.</source>
        <translation>{0} — {1}：{2} 之前尚未生效。</translation>
    </message>
    <message>
        <source>{0} — {1}: expires at {2}, before the opening of {3} ({4}) at {5}. Your bid is decrypted and the record signed at the opening: renew the certificate in time, and keep this one (its key opens bids sealed to it).</source>
        <translation>{0} — {1}：将于 {2} 过期，早于{3}（{4}）的开标时间 {5}。开标时要解密投标文件并签署开标记录：请及时更新证书，并保留此证书（以它密封的投标文件须用它的密钥打开）。</translation>
    </message>
    <message>
        <source>{0} — {1}: expires at {2}, within 30 days. Renew it soon.</source>
        <translation>{0} — {1}：将于 {2} 过期（30 天内），请尽快更新。</translation>
    </message>
</context>
<context>
    <name>CertificatesPage</name>
    <message>
        <source>Certificates</source>
        <translation>证书</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Import .p12…</source>
        <translation>导入 .p12(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Detect tokens</source>
        <translation>检测CA锁(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Log in…</source>
        <translation>登录(&amp;L)…</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <source>Unified social credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <source>Issuer</source>
        <translation>颁发者</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Known certificates</source>
        <translation>已知证书</translation>
    </message>
    <message>
        <source>Certificate warnings</source>
        <translation>证书警告</translation>
    </message>
    <message>
        <source>Certificates page message</source>
        <translation>证书页消息</translation>
    </message>
    <message>
        <source>&amp;Warnings:</source>
        <translation>警告(&amp;W)：</translation>
    </message>
    <message>
        <source>The opening times of your bids could not be checked: {0}</source>
        <translation>无法核对您所投标段的开标时间：{0}</translation>
    </message>
    <message>
        <source>No certificate needs attention.</source>
        <translation>没有需要处理的证书。</translation>
    </message>
    <message>
        <source>{0} (signed in)</source>
        <translation>{0}（当前登录）</translation>
    </message>
    <message>
        <source>Certificates not read yet (log in once with this file)</source>
        <translation>尚未读取证书（请用此文件登录一次）</translation>
    </message>
    <message>
        <source>Expires before the opening of {0}</source>
        <translation>在标段 {0} 开标前过期</translation>
    </message>
    <message>
        <source>Import a certificate file</source>
        <translation>导入证书文件</translation>
    </message>
    <message>
        <source>Certificate files (*.p12 *.pfx);;All files (*)</source>
        <translation>证书文件 (*.p12 *.pfx);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Certificate password</source>
        <translation>证书密码</translation>
    </message>
    <message>
        <source>Password of {0}:</source>
        <translation>{0} 的密码：</translation>
    </message>
    <message>
        <source>Importing {0}…</source>
        <translation>正在导入 {0}…</translation>
    </message>
    <message>
        <source>Another certificate file named {0} is there already (left as it was); this one is kept as {1}.</source>
        <translation>已有名为 {0} 的证书文件（保持不变）；本次导入的文件保存为 {1}。</translation>
    </message>
    <message>
        <source>Imported {0} into {1}.</source>
        <translation>已将 {0} 导入到 {1}。</translation>
    </message>
    <message>
        <source>{0} was imported before: {1}</source>
        <translation>{0} 之前已导入：{1}</translation>
    </message>
    <message>
        <source>Not imported: {0}</source>
        <translation>未导入：{0}</translation>
    </message>
    <message>
        <source>No PKCS#11 module is set: choose your USB key&apos;s module in Settings.</source>
        <translation>尚未设置 PKCS#11 模块：请在“设置”中选择CA锁的模块。</translation>
    </message>
    <message>
        <source>Looking for USB keys…</source>
        <translation>正在查找CA锁…</translation>
    </message>
    <message>
        <source>{0} USB key(s) found.</source>
        <translation>找到 {0} 个CA锁。</translation>
    </message>
    <message>
        <source>No USB key found. Plug it in and detect again.</source>
        <translation>未找到CA锁。请插入CA锁后重新检测。</translation>
    </message>
</context>
<context>
    <name>DocumentsModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>所在文件夹</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <source>{0} is missing: put the file back or remove it from the list</source>
        <translation>{0} 缺失：请放回该文件，或将其从列表中移除</translation>
    </message>
    <message>
        <source>{0} does not exist or is not a file</source>
        <translation>{0} 不存在或不是文件</translation>
    </message>
    <message>
        <source>{0} is a folder: add the files inside it (sealing keeps each file&apos;s name)</source>
        <translation>{0} 是文件夹：请添加其中的文件（密封时保留每个文件的名称）</translation>
    </message>
    <message>
        <source>{0} is already in the list</source>
        <translation>{0} 已在列表中</translation>
    </message>
    <message>
        <source>{0} cannot go into a bid: {1}</source>
        <translation>{0} 不能放入投标文件：{1}</translation>
    </message>
    <message>
        <source>Another document is already named {0}: names inside a bid must differ (rename one)</source>
        <translation>已有名为 {0} 的文档：同一投标文件中的文档名称不能重复（请重命名其中一个）</translation>
    </message>
    <message>
        <source>{0} is not a file on this computer</source>
        <translation>{0} 不是本机上的文件</translation>
    </message>
</context>
<context>
    <name>EnvCheckPage</name>
    <message>
        <source>Environment check</source>
        <translation>环境检测</translation>
    </message>
    <message>
        <source>Checks the connection to the platform, this computer&apos;s clock, your certificates, the USB key, and the disk space where bids and receipts are kept. Run it before a deadline or an opening; send the exported report to support if something is wrong. It holds no password, PIN or key.</source>
        <translation>检测与平台的连接、本机时钟、您的证书、CA锁，以及存放投标文件和回执的磁盘空间。请在投标截止或开标前运行；如有问题，请将导出的报告发送给技术支持。报告不含任何密码、PIN码或密钥。</translation>
    </message>
    <message>
        <source>&amp;Run check</source>
        <translation>开始检测(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Export report…</source>
        <translation>导出报告(&amp;E)…</translation>
    </message>
    <message>
        <source>C&amp;opy</source>
        <translation>复制(&amp;O)</translation>
    </message>
    <message>
        <source>Checking</source>
        <translation>正在检测</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Environment check findings</source>
        <translation>环境检测明细</translation>
    </message>
    <message>
        <source>Environment check result</source>
        <translation>环境检测结论</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在检测…</translation>
    </message>
    <message>
        <source>Check cancelled.</source>
        <translation>检测已取消。</translation>
    </message>
    <message>
        <source>The check could not run: {0}</source>
        <translation>无法运行检测：{0}</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>{0} problem(s) to fix before you bid, {1} warning(s).</source>
        <translation>有 {0} 个问题须在投标前解决，{1} 个警告。</translation>
    </message>
    <message>
        <source>Passed, with {0} warning(s).</source>
        <translation>检测通过，有 {0} 个警告。</translation>
    </message>
    <message>
        <source>Everything checked is in order.</source>
        <translation>所有检测项均正常。</translation>
    </message>
    <message>
        <source>The environment report was copied.</source>
        <translation>环境检测报告已复制。</translation>
    </message>
    <message>
        <source>environment-check</source>
        <translation>环境检测</translation>
    </message>
    <message>
        <source>Export the environment report</source>
        <translation>导出环境检测报告</translation>
    </message>
    <message>
        <source>Text report (*.txt);;JSON for support (*.json)</source>
        <translation>文本报告 (*.txt);;供技术支持使用的 JSON (*.json)</translation>
    </message>
    <message>
        <source>Report saved to {0}</source>
        <translation>报告已保存到 {0}</translation>
    </message>
</context>
<context>
    <name>ErrorSink</name>
    <message>
        <source>SealBid</source>
        <translation>SealBid</translation>
    </message>
    <message>
        <source>Error message</source>
        <translation>错误信息</translation>
    </message>
</context>
<context>
    <name>FailureDecisionDialog</name>
    <message>
        <source>Close the decryption window</source>
        <translation>结束解密</translation>
    </message>
    <message>
        <source>{0} bid(s) did not open. Decide each by its cause (Art. 31): the bidder&apos;s fault → revoked (撤销); the platform&apos;s or another party&apos;s fault → withdrawn (撤回). The platform proposes a cause; override it only with a reason.</source>
        <translation>有 {0} 份投标文件未能解密。请按原因逐一认定（《电子招标投标办法》第三十一条）：因投标人原因的 → 视为撤销；因平台或其他方原因的 → 视为撤回。平台已给出建议原因；如不采纳，须说明理由。</translation>
    </message>
    <message>
        <source>Bids that did not open</source>
        <translation>未能解密的投标文件</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Platform&apos;s proposal</source>
        <translation>平台建议</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>认定</translation>
    </message>
    <message>
        <source>Reason for the decision</source>
        <translation>认定理由</translation>
    </message>
    <message>
        <source>Not released → bidder&apos;s fault: revoked (撤销)</source>
        <translation>未解密 → 投标人原因：视为撤销</translation>
    </message>
    <message>
        <source>Release failed → bidder&apos;s fault: revoked (撤销), unless the platform finds its own failure: withdrawn (撤回)</source>
        <translation>解密失败 → 投标人原因：视为撤销；如平台查明系自身故障：视为撤回</translation>
    </message>
    <message>
        <source>Bidder&apos;s fault → revoked (撤销)</source>
        <translation>投标人原因 → 视为撤销</translation>
    </message>
    <message>
        <source>Platform&apos;s fault → withdrawn (撤回)</source>
        <translation>平台原因 → 视为撤回</translation>
    </message>
    <message>
        <source>Decision for bidder {0}</source>
        <translation>投标人 {0} 的认定</translation>
    </message>
    <message>
        <source>Reason for bidder {0}</source>
        <translation>投标人 {0} 的认定理由</translation>
    </message>
    <message>
        <source>Required when you decide yourself</source>
        <translation>不采纳平台建议时必填</translation>
    </message>
    <message>
        <source>Reason for the decisions</source>
        <translation>认定理由</translation>
    </message>
    <message>
        <source>Required: goes on the record</source>
        <translation>必填：将记入开标记录</translation>
    </message>
    <message>
        <source>Reason for the decisions:</source>
        <translation>认定理由：</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Close the window</source>
        <translation>结束解密</translation>
    </message>
    <message>
        <source>Give the reason for these decisions: it goes on the record.</source>
        <translation>请填写认定理由：该理由将记入开标记录。</translation>
    </message>
    <message>
        <source>Give the reason for your decision on bidder {0}.</source>
        <translation>请填写对投标人 {0} 的认定理由。</translation>
    </message>
</context>
<context>
    <name>FirstStartDialog</name>
    <message>
        <source>Welcome to SealBid</source>
        <translation>欢迎使用 SealBid</translation>
    </message>
    <message>
        <source>Choose the trading platform to work with. The sandbox platform runs inside this app with demo projects and demo certificates, so you can try the whole flow at once; bids made there are for practice only.</source>
        <translation>请选择要使用的交易平台。沙箱平台在本程序内运行，带有演示项目和演示证书，可立即体验完整流程；在沙箱平台上制作的投标文件仅供练习。</translation>
    </message>
    <message>
        <source>Use the built-in &amp;sandbox platform (recommended to start)</source>
        <translation>使用内置沙箱平台（建议初次使用）(&amp;S)</translation>
    </message>
    <message>
        <source>Connect to a &amp;platform URL:</source>
        <translation>连接到平台 URL(&amp;P)：</translation>
    </message>
    <message>
        <source>Platform URL</source>
        <translation>平台 URL</translation>
    </message>
</context>
<context>
    <name>GuideWindow</name>
    <message>
        <source>SealBid user guide</source>
        <translation>SealBid 用户指南</translation>
    </message>
    <message>
        <source>User guide</source>
        <translation>用户指南</translation>
    </message>
    <message>
        <source>Opening the user guide…</source>
        <translation>正在打开用户指南…</translation>
    </message>
    <message>
        <source>The user guide is missing from this installation: {0}</source>
        <translation>本安装中缺少用户指南：{0}</translation>
    </message>
</context>
<context>
    <name>HallPage</name>
    <message>
        <source>Opening hall</source>
        <translation>开标大厅</translation>
    </message>
    <message>
        <source>Section:</source>
        <translation>标段：</translation>
    </message>
    <message>
        <source>Section to attend</source>
        <translation>要参加开标的标段</translation>
    </message>
    <message>
        <source>&amp;Join</source>
        <translation>进入(&amp;J)</translation>
    </message>
    <message>
        <source>Join the opening</source>
        <translation>进入开标</translation>
    </message>
    <message>
        <source>Reload list</source>
        <translation>刷新列表</translation>
    </message>
    <message>
        <source>Hall notice</source>
        <translation>大厅提示</translation>
    </message>
    <message>
        <source>Platform error</source>
        <translation>平台错误</translation>
    </message>
    <message>
        <source>Connection warning</source>
        <translation>连接警告</translation>
    </message>
    <message>
        <source>Opening</source>
        <translation>开标</translation>
    </message>
    <message>
        <source>Phase</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Countdown</source>
        <translation>倒计时</translation>
    </message>
    <message>
        <source>My status</source>
        <translation>我的状态</translation>
    </message>
    <message>
        <source>My status:</source>
        <translation>我的状态：</translation>
    </message>
    <message>
        <source>&amp;Sign in (签到)</source>
        <translation>签到(&amp;S)</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>签到</translation>
    </message>
    <message>
        <source>&amp;Decrypt (解密)</source>
        <translation>解密(&amp;D)</translation>
    </message>
    <message>
        <source>Decrypt my bid</source>
        <translation>解密我的投标文件</translation>
    </message>
    <message>
        <source>Unwrap your bid&apos;s file key on this computer and release it to the platform</source>
        <translation>在本机解开投标文件的文件密钥，并提交给平台</translation>
    </message>
    <message>
        <source>&amp;Rehearse (解密自检)</source>
        <translation>解密自检(&amp;R)</translation>
    </message>
    <message>
        <source>Rehearse decryption</source>
        <translation>解密自检</translation>
    </message>
    <message>
        <source>Check that your current key opens the uploaded bid; nothing is sent</source>
        <translation>检查您当前的密钥能否打开已上传的投标文件；不会发送任何内容</translation>
    </message>
    <message>
        <source>Raise &amp;objection (异议)…</source>
        <translation>提出异议(&amp;O)…</translation>
    </message>
    <message>
        <source>Raise an objection</source>
        <translation>提出异议</translation>
    </message>
    <message>
        <source>Working</source>
        <translation>处理中</translation>
    </message>
    <message>
        <source>Result of the last step</source>
        <translation>上一步操作结果</translation>
    </message>
    <message>
        <source>Bidders</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Results (唱标)</source>
        <translation>唱标结果</translation>
    </message>
    <message>
        <source>Only my objections</source>
        <translation>仅显示我方异议</translation>
    </message>
    <message>
        <source>Objections</source>
        <translation>异议</translation>
    </message>
    <message>
        <source>Objections (异议)</source>
        <translation>异议</translation>
    </message>
    <message>
        <source>The opening record appears here once announced.</source>
        <translation>唱标后，开标记录将显示在此处。</translation>
    </message>
    <message>
        <source>Record (开标记录)</source>
        <translation>开标记录</translation>
    </message>
    <message>
        <source>Opening events</source>
        <translation>开标事件</translation>
    </message>
    <message>
        <source>Event log</source>
        <translation>事件日志</translation>
    </message>
    <message>
        <source>Log in first: the hall shows the openings of your bids.</source>
        <translation>请先登录：开标大厅显示您所投标段的开标。</translation>
    </message>
    <message>
        <source>The opening hall is for bidders. You are logged in as opening staff: run or watch the opening in the Opening console.</source>
        <translation>开标大厅供投标人使用。您当前以开标工作人员身份登录：请在“开标主持台”中主持或观看开标。</translation>
    </message>
    <message>
        <source>Could not read the sections: {0}</source>
        <translation>无法读取标段：{0}</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>The platform stopped sending this opening; shown as of {0}. Join again to follow it.</source>
        <translation>平台已停止推送本场开标，以下为 {0} 时的状态。请重新进入以继续关注。</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>Connection to the platform lost — reconnecting; shown as of {0}. Actions are disabled until the platform answers again.</source>
        <translation>与平台的连接已中断，正在重新连接；当前显示的是 {0} 时的状态。平台恢复响应前，各项操作均不可用。</translation>
    </message>
    <message>
        <source> — failed tender (流标)</source>
        <translation> — 流标</translation>
    </message>
    <message>
        <source>Opening time: {0}</source>
        <translation>开标时间：{0}</translation>
    </message>
    <message>
        <source>Host: {0}</source>
        <translation>主持人：{0}</translation>
    </message>
    <message>
        <source>Bids: {0}</source>
        <translation>投标文件数：{0}</translation>
    </message>
    <message>
        <source>Window closes: {0}</source>
        <translation>解密截止：{0}</translation>
    </message>
    <message>
        <source>Confirm by: {0}</source>
        <translation>签认截止：{0}</translation>
    </message>
    <message>
        <source>not yet published</source>
        <translation>尚未公布</translation>
    </message>
    <message>
        <source>not signed in</source>
        <translation>未签到</translation>
    </message>
    <message>
        <source>Number: {0}</source>
        <translation>序号：{0}</translation>
    </message>
    <message>
        <source>Signed in: {0}</source>
        <translation>签到：{0}</translation>
    </message>
    <message>
        <source>Decryption: {0}</source>
        <translation>解密：{0}</translation>
    </message>
    <message>
        <source>Attempts: {0}</source>
        <translation>尝试次数：{0}</translation>
    </message>
    <message>
        <source>Last error: {0}</source>
        <translation>最近错误：{0}</translation>
    </message>
    <message>
        <source>Opening in</source>
        <translation>距开标</translation>
    </message>
    <message>
        <source>Waiting for the host to start</source>
        <translation>等待主持人开始开标</translation>
    </message>
    <message>
        <source>Window closes in</source>
        <translation>距解密截止</translation>
    </message>
    <message>
        <source>Confirm within</source>
        <translation>距签认截止</translation>
    </message>
    <message>
        <source>Failed: {0}</source>
        <translation>失败：{0}</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>正在签到…</translation>
    </message>
    <message>
        <source>Signed in at {0}.</source>
        <translation>已于 {0} 签到。</translation>
    </message>
    <message>
        <source>Decrypting: unwrapping the file key and releasing it to the platform…</source>
        <translation>正在解密：解开文件密钥并提交给平台…</translation>
    </message>
    <message>
        <source>Your bid opened. Its content stays sealed until the window closes.</source>
        <translation>您的投标文件已解密。解密时限结束前，其内容仍保持密封。</translation>
    </message>
    <message>
        <source>Decryption failed: {0}</source>
        <translation>解密失败：{0}</translation>
    </message>
    <message>
        <source>You may try again while the window is open.</source>
        <translation>解密时限内可以重试。</translation>
    </message>
    <message>
        <source>Rehearsing the decryption…</source>
        <translation>正在进行解密自检…</translation>
    </message>
    <message>
        <source>Rehearsal passed: your current key opens the uploaded bid.</source>
        <translation>解密自检通过：您当前的密钥可以打开已上传的投标文件。</translation>
    </message>
    <message>
        <source>Rehearsal FAILED: fix the problems below before the window opens.</source>
        <translation>解密自检未通过：请在开始解密前解决以下问题。</translation>
    </message>
    <message>
        <source>Your objection (it goes on the opening record):</source>
        <translation>您的异议（将记入开标记录）：</translation>
    </message>
    <message>
        <source>The objection is empty: nothing was sent.</source>
        <translation>异议内容为空：未发送。</translation>
    </message>
    <message>
        <source>The objection is longer than 4000 characters.</source>
        <translation>异议内容超过 4000 个字符。</translation>
    </message>
    <message>
        <source>Send this objection to the host? It goes on the record.

{0}</source>
        <translation>向主持人提出此异议？异议将记入开标记录。

{0}</translation>
    </message>
    <message>
        <source>Objection {0} sent; the host&apos;s answer appears below.</source>
        <translation>异议 {0} 已发送；主持人的答复将显示在下方。</translation>
    </message>
    <message>
        <source>Sending the objection…</source>
        <translation>正在发送异议…</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Log in with a certificate</source>
        <translation>使用证书登录</translation>
    </message>
    <message>
        <source>Ways to log in</source>
        <translation>登录方式</translation>
    </message>
    <message>
        <source>Certificate &amp;file</source>
        <translation>证书文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;USB key</source>
        <translation>CA锁（UKey）(&amp;U)</translation>
    </message>
    <message>
        <source>Login problem</source>
        <translation>登录问题</translation>
    </message>
    <message>
        <source>Logging in</source>
        <translation>正在登录</translation>
    </message>
    <message>
        <source>&amp;Log in</source>
        <translation>登录(&amp;L)</translation>
    </message>
    <message>
        <source>Demo people of the built-in sandbox platform. Pick one and log in: no password is needed. Certificates and bids here are for practice only.</source>
        <translation>内置沙箱平台的演示人员。选择一位即可登录，无需密码。此处的证书和投标文件仅供练习。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Unified social credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <source>Sandbox demo identities</source>
        <translation>沙箱演示身份</translation>
    </message>
    <message>
        <source>Certificate file</source>
        <translation>证书文件</translation>
    </message>
    <message>
        <source>A .p12 or .pfx file from your CA</source>
        <translation>CA 机构颁发的 .p12 或 .pfx 文件</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>Certificate password</source>
        <translation>证书密码</translation>
    </message>
    <message>
        <source>Certificate &amp;file:</source>
        <translation>证书文件(&amp;F)：</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <source>The password opens the file on this computer only; it is neither sent to the platform nor saved.</source>
        <translation>密码仅用于在本机打开该文件，不会发送到平台，也不会保存。</translation>
    </message>
    <message>
        <source>PKCS#11 module</source>
        <translation>PKCS#11 模块</translation>
    </message>
    <message>
        <source>Bro&amp;wse…</source>
        <translation>浏览(&amp;W)…</translation>
    </message>
    <message>
        <source>&amp;Detect tokens</source>
        <translation>检测CA锁(&amp;D)</translation>
    </message>
    <message>
        <source>Token / certificate</source>
        <translation>CA锁 / 证书</translation>
    </message>
    <message>
        <source>Serial number</source>
        <translation>序列号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>USB keys and their certificates</source>
        <translation>CA锁及其证书</translation>
    </message>
    <message>
        <source>Token PIN</source>
        <translation>CA锁 PIN码</translation>
    </message>
    <message>
        <source>PKCS#11 &amp;module:</source>
        <translation>PKCS#11 模块(&amp;M)：</translation>
    </message>
    <message>
        <source>P&amp;IN:</source>
        <translation>PIN码(&amp;I)：</translation>
    </message>
    <message>
        <source>The module is the driver of your USB key (from its CA). The PIN goes to the key only; too many wrong PINs lock it.</source>
        <translation>模块是CA锁的驱动程序（由其 CA 机构提供）。PIN码只发送给CA锁；多次输错PIN码会锁定CA锁。</translation>
    </message>
    <message>
        <source>&amp;Demo identities (sandbox)</source>
        <translation>演示身份（沙箱平台）(&amp;D)</translation>
    </message>
    <message>
        <source>Choose your certificate file</source>
        <translation>选择证书文件</translation>
    </message>
    <message>
        <source>Certificate files (*.p12 *.pfx);;All files (*)</source>
        <translation>证书文件 (*.p12 *.pfx);;所有文件 (*)</translation>
    </message>
    <message>
        <source>PKCS#11 modules (*.dll)</source>
        <translation>PKCS#11 模块 (*.dll)</translation>
    </message>
    <message>
        <source>PKCS#11 modules (*.so *.dylib)</source>
        <translation>PKCS#11 模块 (*.so *.dylib)</translation>
    </message>
    <message>
        <source>Choose the PKCS#11 module of your USB key</source>
        <translation>选择CA锁的 PKCS#11 模块</translation>
    </message>
    <message>
        <source>Choose the PKCS#11 module of your USB key first.</source>
        <translation>请先选择CA锁的 PKCS#11 模块。</translation>
    </message>
    <message>
        <source>Looking for USB keys…</source>
        <translation>正在查找CA锁…</translation>
    </message>
    <message>
        <source>PIN locked: ask your CA to unlock it</source>
        <translation>PIN码已锁定：请联系 CA 机构解锁</translation>
    </message>
    <message>
        <source>One more wrong PIN locks it</source>
        <translation>再输错一次PIN码将被锁定</translation>
    </message>
    <message>
        <source>Certificates unreadable ({0})</source>
        <translation>无法读取证书（{0}）</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>No USB key found. Plug it in, check the module, and detect again.</source>
        <translation>未找到CA锁。请插入CA锁并检查模块设置，然后重新检测。</translation>
    </message>
    <message>
        <source>The sandbox platform is still starting; try again in a moment.</source>
        <translation>沙箱平台仍在启动，请稍后再试。</translation>
    </message>
    <message>
        <source>Choose a demo identity.</source>
        <translation>请选择一个演示身份。</translation>
    </message>
    <message>
        <source>Choose your certificate file (.p12 or .pfx).</source>
        <translation>请选择证书文件（.p12 或 .pfx）。</translation>
    </message>
    <message>
        <source>The PIN of this USB key is locked after too many wrong PINs. Only its issuer (your CA) can unlock it.</source>
        <translation>由于多次输错PIN码，此CA锁的PIN码已被锁定。只有其颁发机构（CA 机构）可以解锁。</translation>
    </message>
    <message>
        <source>Enter the PIN of your USB key.</source>
        <translation>请输入CA锁的PIN码。</translation>
    </message>
    <message>
        <source>Opening the certificate and logging in…</source>
        <translation>正在打开证书并登录…</translation>
    </message>
    <message>
        <source>Login failed.</source>
        <translation>登录失败。</translation>
    </message>
    <message>
        <source>Signed in as {0}</source>
        <translation>已登录：{0}</translation>
    </message>
    <message>
        <source>Careful: one more wrong PIN locks this USB key.</source>
        <translation>注意：再输错一次PIN码，此CA锁将被锁定。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>SealBid — sealed bidding</source>
        <translation>SealBid — 密封投标</translation>
    </message>
    <message>
        <source>Navigation</source>
        <translation>导航</translation>
    </message>
    <message>
        <source>Platform time</source>
        <translation>平台时间</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Log in…</source>
        <translation>登录(&amp;L)…</translation>
    </message>
    <message>
        <source>Log &amp;out</source>
        <translation>退出登录(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Open a sealed bid file…</source>
        <translation>打开密封投标文件(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Sandbox</source>
        <translation>沙箱(&amp;S)</translation>
    </message>
    <message>
        <source>New &amp;practice opening…</source>
        <translation>新建练习开标(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;User guide</source>
        <translation>用户指南(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;About SealBid</source>
        <translation>关于 SealBid(&amp;A)</translation>
    </message>
    <message>
        <source>Open a sealed bid file</source>
        <translation>打开密封投标文件</translation>
    </message>
    <message>
        <source>Sealed bids (*.sealbid);;All files (*)</source>
        <translation>密封投标文件 (*.sealbid);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Log out?</source>
        <translation>退出登录？</translation>
    </message>
    <message>
        <source>Still running:
{0}

Logging out stops it; an upload resumes after you log in again. Log out anyway?</source>
        <translation>仍在进行：
{0}

退出登录会中止这些操作；上传可在重新登录后继续。仍要退出登录吗？</translation>
    </message>
    <message>
        <source>About SealBid</source>
        <translation>关于 SealBid</translation>
    </message>
    <message>
        <source>SealBid {0}
An open client for electronic bidding and remote bid opening.
Formats: CMS, X.509, PKCS#12, PKCS#11, RFC 3161, PAdES.</source>
        <translation>SealBid {0}
开放的电子投标与不见面开标客户端。
支持格式：CMS、X.509、PKCS#12、PKCS#11、RFC 3161、PAdES。</translation>
    </message>
    <message>
        <source>Sandbox platform</source>
        <translation>沙箱平台</translation>
    </message>
    <message>
        <source>No platform chosen</source>
        <translation>未选择平台</translation>
    </message>
    <message>
        <source>Signed in: {0}</source>
        <translation>已登录：{0}</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <source>Platform time {0} (UTC+8), local clock off by {1:+.1f} s</source>
        <translation>平台时间 {0}（北京时间），本机时钟偏差 {1:+.1f} 秒</translation>
    </message>
    <message>
        <source>Starting the sandbox platform…</source>
        <translation>正在启动沙箱平台…</translation>
    </message>
    <message>
        <source>Sandbox platform ready</source>
        <translation>沙箱平台已就绪</translation>
    </message>
    <message>
        <source>Quit SealBid?</source>
        <translation>退出 SealBid？</translation>
    </message>
    <message>
        <source>Still running:
{0}

An interrupted upload resumes at the next start; an interrupted sealing leaves no file. Quit anyway?</source>
        <translation>以下任务仍在进行：
{0}

中断的上传会在下次启动时继续；中断的密封不会留下任何文件。仍要退出吗？</translation>
    </message>
</context>
<context>
    <name>ObjectionsModel</name>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Raised by</source>
        <translation>提出人</translation>
    </message>
    <message>
        <source>Raised at</source>
        <translation>提出时间</translation>
    </message>
    <message>
        <source>Objection</source>
        <translation>异议内容</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>答复</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>答复人及时间</translation>
    </message>
    <message>
        <source> (you)</source>
        <translation>（我方）</translation>
    </message>
    <message>
        <source>Not answered</source>
        <translation>未答复</translation>
    </message>
</context>
<context>
    <name>OpeningText</name>
    <message>
        <source>Waiting for the opening</source>
        <translation>等待开标</translation>
    </message>
    <message>
        <source>Sign-in</source>
        <translation>签到</translation>
    </message>
    <message>
        <source>Bidder list published</source>
        <translation>已公布投标人名单</translation>
    </message>
    <message>
        <source>Decryption window</source>
        <translation>解密中</translation>
    </message>
    <message>
        <source>Decryption closed</source>
        <translation>解密结束</translation>
    </message>
    <message>
        <source>Results announced</source>
        <translation>已唱标</translation>
    </message>
    <message>
        <source>Confirming the record</source>
        <translation>签认开标记录</translation>
    </message>
    <message>
        <source>Opening finished</source>
        <translation>开标结束</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>待解密</translation>
    </message>
    <message>
        <source>Opened</source>
        <translation>已解密</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>解密失败</translation>
    </message>
    <message>
        <source>Revoked (撤销)</source>
        <translation>视为撤销</translation>
    </message>
    <message>
        <source>Withdrawn (撤回)</source>
        <translation>视为撤回</translation>
    </message>
    <message>
        <source>Not opened (failed tender)</source>
        <translation>未解密（流标）</translation>
    </message>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主持人</translation>
    </message>
    <message>
        <source>Recorder</source>
        <translation>记录人</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>监督人</translation>
    </message>
    <message>
        <source>confirmed</source>
        <translation>签认</translation>
    </message>
    <message>
        <source>declined</source>
        <translation>拒绝签认</translation>
    </message>
    <message>
        <source>    {0}. {1} ({2})  signed in: {3}</source>
        <translation>    {0}. {1}（{2}）  签到：{3}</translation>
    </message>
    <message>
        <source>    Reason: {0}</source>
        <translation>    原因：{0}</translation>
    </message>
    <message>
        <source>Phase: {0}</source>
        <translation>阶段：{0}</translation>
    </message>
    <message>
        <source> (by {0})</source>
        <translation>（操作人：{0}）</translation>
    </message>
    <message>
        <source>Bidder {0} {1} signed in</source>
        <translation>投标人 {0} {1} 已签到</translation>
    </message>
    <message>
        <source>Bidder list published: {0} bids</source>
        <translation>已公布投标人名单：共 {0} 份投标文件</translation>
    </message>
    <message>
        <source>Decryption window extended by {0} minutes, until {1}; reason: {2}</source>
        <translation>解密时限延长 {0} 分钟，至 {1}；理由：{2}</translation>
    </message>
    <message>
        <source>Decryption window open: {0} minutes, until {1}</source>
        <translation>开始解密：解密时限 {0} 分钟，至 {1}</translation>
    </message>
    <message>
        <source>Bidder {0} decryption: {1} (attempt {2})</source>
        <translation>投标人 {0} 解密：{1}（第 {2} 次）</translation>
    </message>
    <message>
        <source>Results: {0} valid bids</source>
        <translation>唱标：有效投标文件 {0} 份</translation>
    </message>
    <message>
        <source>Objection {0} by {1}: {2}</source>
        <translation>异议 {0}（{1} 提出）：{2}</translation>
    </message>
    <message>
        <source>Objection {0} answered by {1}: {2}</source>
        <translation>异议 {0}（{1} 答复）：{2}</translation>
    </message>
    <message>
        <source>Opening record revision {0}: SHA-256 {1}</source>
        <translation>开标记录第 {0} 版：SHA-256 {1}</translation>
    </message>
    <message>
        <source>{0} {1} signed the record: {2}</source>
        <translation>{0} {1} 签署开标记录：{2}</translation>
    </message>
    <message>
        <source>; reason: {0}</source>
        <translation>；理由：{0}</translation>
    </message>
    <message>
        <source>The opening finished; the record is closed</source>
        <translation>开标结束，开标记录已关闭</translation>
    </message>
    <message>
        <source>       Cause: {0}</source>
        <translation>       原因：{0}</translation>
    </message>
</context>
<context>
    <name>OpeningsModel</name>
    <message>
        <source>Opening time</source>
        <translation>开标时间</translation>
    </message>
    <message>
        <source>Project / section</source>
        <translation>项目 / 标段</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Phase</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Opening today</source>
        <translation>今日开标</translation>
    </message>
</context>
<context>
    <name>OperatorPage</name>
    <message>
        <source>Note</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Go to the opening hall</source>
        <translation>前往开标大厅</translation>
    </message>
    <message>
        <source>Openings</source>
        <translation>开标列表</translation>
    </message>
    <message>
        <source>Refresh list</source>
        <translation>刷新列表</translation>
    </message>
    <message>
        <source>Refresh the openings</source>
        <translation>刷新开标列表</translation>
    </message>
    <message>
        <source>Connection state</source>
        <translation>连接状态</translation>
    </message>
    <message>
        <source>Choose an opening on the left.</source>
        <translation>请在左侧选择一场开标。</translation>
    </message>
    <message>
        <source>Phase</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Countdown</source>
        <translation>倒计时</translation>
    </message>
    <message>
        <source>Sign-in and decryption counts</source>
        <translation>签到和解密统计</translation>
    </message>
    <message>
        <source>Opening staff</source>
        <translation>开标工作人员</translation>
    </message>
    <message>
        <source>Result of the last step</source>
        <translation>上一步操作结果</translation>
    </message>
    <message>
        <source>Decryption board</source>
        <translation>解密情况</translation>
    </message>
    <message>
        <source>Objections</source>
        <translation>异议</translation>
    </message>
    <message>
        <source>Record and signatures</source>
        <translation>开标记录与签名</translation>
    </message>
    <message>
        <source>Event log</source>
        <translation>事件日志</translation>
    </message>
    <message>
        <source>Opening console</source>
        <translation>开标主持台</translation>
    </message>
    <message>
        <source>Steps (host only)</source>
        <translation>开标步骤（仅限主持人）</translation>
    </message>
    <message>
        <source>Recorder (default: the platform&apos;s)</source>
        <translation>记录人（默认：平台指定）</translation>
    </message>
    <message>
        <source>Recorder</source>
        <translation>记录人</translation>
    </message>
    <message>
        <source>Supervisor (default: the platform&apos;s)</source>
        <translation>监督人（默认：平台指定）</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>监督人</translation>
    </message>
    <message>
        <source>Start the opening (开始开标)</source>
        <translation>开始开标</translation>
    </message>
    <message>
        <source>Publish the bidder list (公布投标人名单)</source>
        <translation>公布投标人名单</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source>Decryption window length in minutes</source>
        <translation>解密时限（分钟）</translation>
    </message>
    <message>
        <source>Open the decryption window</source>
        <translation>开始解密</translation>
    </message>
    <message>
        <source>Window length:</source>
        <translation>解密时限：</translation>
    </message>
    <message>
        <source>Extension in minutes</source>
        <translation>延长时间（分钟）</translation>
    </message>
    <message>
        <source>Reason for the extension (on the record)</source>
        <translation>延长理由（记入开标记录）</translation>
    </message>
    <message>
        <source>Reason for the extension</source>
        <translation>延长理由</translation>
    </message>
    <message>
        <source>Extend the window</source>
        <translation>延长解密时限</translation>
    </message>
    <message>
        <source>Extend by:</source>
        <translation>延长：</translation>
    </message>
    <message>
        <source>End decryption (结束解密)</source>
        <translation>结束解密</translation>
    </message>
    <message>
        <source>Confirmation period in minutes</source>
        <translation>签认期限（分钟）</translation>
    </message>
    <message>
        <source>Announce the results (唱标)</source>
        <translation>唱标</translation>
    </message>
    <message>
        <source>Time to confirm the record:</source>
        <translation>开标记录签认期限：</translation>
    </message>
    <message>
        <source>Finish the opening (结束开标)</source>
        <translation>结束开标</translation>
    </message>
    <message>
        <source>Only the host runs the steps. As recorder or supervisor you follow the opening here and sign the record under “Record and signatures”.</source>
        <translation>开标步骤仅由主持人操作。记录人或监督人可在此跟进开标过程，并在“开标记录与签名”中签署开标记录。</translation>
    </message>
    <message>
        <source>Your part in the opening</source>
        <translation>您在开标中的职责</translation>
    </message>
    <message>
        <source>Answer to the selected objection</source>
        <translation>对所选异议的答复</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>答复</translation>
    </message>
    <message>
        <source>Answer the selected objection</source>
        <translation>答复所选异议</translation>
    </message>
    <message>
        <source>Log in first: the opening console is for the opening staff.</source>
        <translation>请先登录：开标主持台供开标工作人员使用。</translation>
    </message>
    <message>
        <source>The opening console is for the opening staff (host, recorder, supervisor). Bidders take part in the opening in the opening hall.</source>
        <translation>开标主持台供开标工作人员（主持人、记录人、监督人）使用。投标人请在开标大厅参加开标。</translation>
    </message>
    <message>
        <source>Loading the openings…</source>
        <translation>正在加载开标列表…</translation>
    </message>
    <message>
        <source>{0} opening(s) today ({1}, platform time); {2} in all.</source>
        <translation>今日（{1}，平台时间）有 {0} 场开标；共 {2} 场。</translation>
    </message>
    <message>
        <source>The openings could not be loaded: {0}</source>
        <translation>无法加载开标列表：{0}</translation>
    </message>
    <message>
        <source>The record appears here once it is announced.</source>
        <translation>唱标后，开标记录将显示在此处。</translation>
    </message>
    <message>
        <source>Phase: {0}</source>
        <translation>阶段：{0}</translation>
    </message>
    <message>
        <source> — failed tender (流标)</source>
        <translation> — 流标</translation>
    </message>
    <message>
        <source>Signed in: {0} (the bidder list is not published yet)</source>
        <translation>已签到：{0}（投标人名单尚未公布）</translation>
    </message>
    <message>
        <source>Signed in {0}/{1} · opened {2}/{1}</source>
        <translation>已签到 {0}/{1} · 已解密 {2}/{1}</translation>
    </message>
    <message>
        <source> · failed tries {0}</source>
        <translation> · 解密失败 {0} 次</translation>
    </message>
    <message>
        <source> · revoked {0} · withdrawn {1}</source>
        <translation> · 视为撤销 {0} · 视为撤回 {1}</translation>
    </message>
    <message>
        <source>Host: {0} · recorder: {1} · supervisor: {2}</source>
        <translation>主持人：{0} · 记录人：{1} · 监督人：{2}</translation>
    </message>
    <message>
        <source>not signed</source>
        <translation>未签署</translation>
    </message>
    <message>
        <source>Staff signatures: {0}</source>
        <translation>工作人员签名：{0}</translation>
    </message>
    <message>
        <source>The platform stopped sending this opening: {0}</source>
        <translation>平台已停止推送此场开标：{0}</translation>
    </message>
    <message>
        <source>Reading the opening from the platform…</source>
        <translation>正在从平台读取开标信息…</translation>
    </message>
    <message>
        <source>Connection to the platform lost — reconnecting; shown as of {0}</source>
        <translation>与平台的连接已中断，正在重新连接；当前显示的是 {0} 时的状态</translation>
    </message>
    <message>
        <source>Opening time {0} — in {1}</source>
        <translation>开标时间 {0}，还有 {1}</translation>
    </message>
    <message>
        <source>Opening time {0} reached — start the opening</source>
        <translation>已到开标时间 {0}，请开始开标</translation>
    </message>
    <message>
        <source>Decryption window closes at {0} — {1} left</source>
        <translation>解密时限截至 {0}，剩余 {1}</translation>
    </message>
    <message>
        <source>The decryption window&apos;s time is up ({0}) — end decryption</source>
        <translation>解密时限已到（{0}），请结束解密</translation>
    </message>
    <message>
        <source>Confirmation until {0} — {1} left</source>
        <translation>签认截至 {0}，剩余 {1}</translation>
    </message>
    <message>
        <source>The confirmation period ended at {0}</source>
        <translation>签认期限已于 {0} 结束</translation>
    </message>
    <message>
        <source>Platform time {0}</source>
        <translation>平台时间 {0}</translation>
    </message>
    <message>
        <source>{0}: sending to the platform…</source>
        <translation>{0}：正在发送到平台…</translation>
    </message>
    <message>
        <source>{0}: done.</source>
        <translation>{0}：已完成。</translation>
    </message>
    <message>
        <source>{0}: refused — {1}</source>
        <translation>{0}：平台拒绝 — {1}</translation>
    </message>
    <message>
        <source>Start the opening?</source>
        <translation>开始开标？</translation>
    </message>
    <message>
        <source>Start the opening of {0}? Sign-in opens for the bidders. With fewer than three bids the opening ends at once as a failed tender (流标).</source>
        <translation>开始 {0} 的开标？投标人随即可以签到。投标文件不足三份的，开标立即结束，按流标处理。</translation>
    </message>
    <message>
        <source>Start the opening</source>
        <translation>开始开标</translation>
    </message>
    <message>
        <source>Publish the bidder list?</source>
        <translation>公布投标人名单？</translation>
    </message>
    <message>
        <source>Publish the bidder list? Every bidder then sees the others&apos; names and sign-in times. This cannot be undone.</source>
        <translation>公布投标人名单？公布后，每个投标人都能看到其他投标人的名称和签到时间。此操作不可取消。</translation>
    </message>
    <message>
        <source>Publish the bidder list</source>
        <translation>公布投标人名单</translation>
    </message>
    <message>
        <source>Open the decryption window?</source>
        <translation>开始解密？</translation>
    </message>
    <message>
        <source>Open the decryption window for {0} minutes? Bidders release their keys until it ends.</source>
        <translation>开始解密，解密时限为 {0} 分钟？投标人须在解密时限结束前完成解密。</translation>
    </message>
    <message>
        <source>Give the reason for the extension: it goes on the record.</source>
        <translation>请填写延长理由：该理由将记入开标记录。</translation>
    </message>
    <message>
        <source>Extend the window?</source>
        <translation>延长解密时限？</translation>
    </message>
    <message>
        <source>Extend the decryption window by {0} minutes for this reason: {1}?</source>
        <translation>将解密时限延长 {0} 分钟，理由：{1}？</translation>
    </message>
    <message>
        <source>End decryption</source>
        <translation>结束解密</translation>
    </message>
    <message>
        <source>End decryption early?</source>
        <translation>提前结束解密？</translation>
    </message>
    <message>
        <source>The window runs until {0}. End decryption now? The platform allows it only when every bid has opened; every summary is then published at once.</source>
        <translation>解密时限至 {0}。现在结束解密吗？仅当所有投标文件均已解密时，平台才允许提前结束；随后将同时公布全部开标一览表。</translation>
    </message>
    <message>
        <source>End decryption?</source>
        <translation>结束解密？</translation>
    </message>
    <message>
        <source>Every bid opened. End decryption and publish every summary at once?</source>
        <translation>所有投标文件均已解密。结束解密并同时公布全部开标一览表吗？</translation>
    </message>
    <message>
        <source>{0} bid(s) did not open and will be decided as you chose. End decryption and publish every summary at once? This cannot be undone.</source>
        <translation>有 {0} 份投标文件未能解密，将按您的认定处理。结束解密并同时公布全部开标一览表吗？此操作不可取消。</translation>
    </message>
    <message>
        <source>Announce the results?</source>
        <translation>开始唱标？</translation>
    </message>
    <message>
        <source>Announce the results (唱标)? The platform builds and signs the opening record; participants then have {0} minutes to confirm it.</source>
        <translation>开始唱标？平台将生成并签署开标记录，参与各方须在 {0} 分钟内签认。</translation>
    </message>
    <message>
        <source>Announce the results</source>
        <translation>唱标</translation>
    </message>
    <message>
        <source>Select an objection that is not answered yet.</source>
        <translation>请选择一条尚未答复的异议。</translation>
    </message>
    <message>
        <source>Type the answer first: it goes on the record.</source>
        <translation>请先填写答复：答复将记入开标记录。</translation>
    </message>
    <message>
        <source>Answer the objection?</source>
        <translation>答复异议？</translation>
    </message>
    <message>
        <source>Answer objection {0} of {1}? The answer goes on the record: {2}</source>
        <translation>答复 {1} 提出的异议 {0}？答复将记入开标记录：{2}</translation>
    </message>
    <message>
        <source>Answer objection {0}</source>
        <translation>答复异议 {0}</translation>
    </message>
    <message>
        <source>Finish the opening? The record is closed for good.</source>
        <translation>结束开标？开标记录将永久关闭。</translation>
    </message>
    <message>
        <source>Not signed yet (as far as shown): {0}.</source>
        <translation>尚未签署（据当前显示）：{0}。</translation>
    </message>
    <message>
        <source>Finish the opening?</source>
        <translation>结束开标？</translation>
    </message>
    <message>
        <source>Finish the opening</source>
        <translation>结束开标</translation>
    </message>
</context>
<context>
    <name>PracticeDialog</name>
    <message>
        <source>New practice opening</source>
        <translation>新建练习开标</translation>
    </message>
    <message>
        <source>A practice section on the sandbox platform: demo bidders submit bids now and take part in the opening by themselves. Nothing here is a real tender.</source>
        <translation>在沙箱平台上新建一个练习标段：演示投标人现在就递交投标文件，并自动参加开标。这里的一切都不是真实招标。</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source>Minutes to the bid deadline and opening</source>
        <translation>距投标截止和开标的分钟数</translation>
    </message>
    <message>
        <source>Deadline and opening in:</source>
        <translation>距截止和开标：</translation>
    </message>
    <message>
        <source>I submit my own bid as {0} (2 demo bids; a demo host runs the opening)</source>
        <translation>我以 {0} 的身份递交自己的投标文件（另有 2 份演示投标；由演示主持人主持开标）</translation>
    </message>
    <message>
        <source>Submit my own bid</source>
        <translation>递交我自己的投标文件</translation>
    </message>
</context>
<context>
    <name>PracticeFlow</name>
    <message>
        <source>Creating the practice section…</source>
        <translation>正在新建练习标段…</translation>
    </message>
    <message>
        <source>Practice opening</source>
        <translation>练习开标</translation>
    </message>
    <message>
        <source>A practice opening needs the embedded sandbox platform. Choose it in Settings first.</source>
        <translation>练习开标需要使用内置沙箱平台。请先在“设置”中选择沙箱平台。</translation>
    </message>
    <message>
        <source>The practice section could not be created.</source>
        <translation>无法新建练习标段。</translation>
    </message>
    <message>
        <source>Practice section {0} created.</source>
        <translation>已新建练习标段 {0}。</translation>
    </message>
    <message>
        <source>Practice section {0} created: {1}</source>
        <translation>已新建练习标段 {0}：{1}</translation>
    </message>
    <message>
        <source>Bid deadline and opening: {0}</source>
        <translation>投标截止和开标时间：{0}</translation>
    </message>
    <message>
        <source>Demo bidders that have submitted bids: {0}</source>
        <translation>已递交投标文件的演示投标人：{0}</translation>
    </message>
    <message>
        <source>Now: on the Prepare and seal page, seal your own bid for this section and submit it before {0} (platform time).</source>
        <translation>现在：请在“编制与密封”页面为此标段密封您自己的投标文件，并在 {0}（平台时间）前递交。</translation>
    </message>
    <message>
        <source>After {0}: on the Opening hall page, join this section, sign in, and decrypt your bid when the decryption window opens; then confirm the opening record.</source>
        <translation>{0} 之后：在“开标大厅”页面进入此标段并签到，开始解密后解密您的投标文件；最后签认开标记录。</translation>
    </message>
    <message>
        <source>The demo host {0} runs the opening; the demo bidders sign in, decrypt and confirm the record by themselves.</source>
        <translation>由演示主持人 {0} 主持开标；演示投标人自动签到、解密并签认开标记录。</translation>
    </message>
    <message>
        <source>Log in as the sandbox host {0} (File › Log in…).</source>
        <translation>请以沙箱主持人 {0} 的身份登录（文件 › 登录…）。</translation>
    </message>
    <message>
        <source>After {0}: on the Opening console page, pick this section and start the opening; publish the bidder list, open the decryption window, close it once every bid is decrypted, announce, sign the record and finish (the recorder and the supervisor sign too).</source>
        <translation>{0} 之后：在“开标主持台”页面选择此标段并开始开标；公布投标人名单，开始解密，所有投标文件解密后结束解密，唱标，签认开标记录并结束开标（记录人和监督人也须签认）。</translation>
    </message>
    <message>
        <source>The demo bidders sign in, decrypt and confirm the record by themselves.</source>
        <translation>演示投标人会自动签到、解密并签认开标记录。</translation>
    </message>
</context>
<context>
    <name>PreparePage</name>
    <message>
        <source>Reading the section from the platform…</source>
        <translation>正在从平台读取标段…</translation>
    </message>
    <message>
        <source>Signing and encrypting…</source>
        <translation>正在签名并加密…</translation>
    </message>
    <message>
        <source>Prepare and seal</source>
        <extracomment>Plaintext bytes per encrypted chunk (tests make it small to cancel mid-way).</extracomment>
        <translation>编制与密封</translation>
    </message>
    <message>
        <source>&amp;Section:</source>
        <translation>标段(&amp;S)：</translation>
    </message>
    <message>
        <source>Section to prepare a bid for</source>
        <translation>要编制投标文件的标段</translation>
    </message>
    <message>
        <source>Choose a section</source>
        <translation>选择标段</translation>
    </message>
    <message>
        <source>R&amp;efresh</source>
        <translation>刷新(&amp;E)</translation>
    </message>
    <message>
        <source>Read the sections again from the platform</source>
        <translation>重新从平台读取标段</translation>
    </message>
    <message>
        <source>Section details</source>
        <translation>标段详情</translation>
    </message>
    <message>
        <source>Time left until the bid deadline</source>
        <translation>距投标截止时间的剩余时间</translation>
    </message>
    <message>
        <source>Log &amp;in…</source>
        <translation>登录(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;1 Documents</source>
        <translation>&amp;1 投标文档</translation>
    </message>
    <message>
        <source>&amp;2 Bid summary</source>
        <translation>&amp;2 开标一览表</translation>
    </message>
    <message>
        <source>&amp;3 Preview</source>
        <translation>&amp;3 预览</translation>
    </message>
    <message>
        <source>&amp;Output file:</source>
        <translation>输出文件(&amp;O)：</translation>
    </message>
    <message>
        <source>Where the sealed bid is saved</source>
        <translation>密封投标文件的保存位置</translation>
    </message>
    <message>
        <source>C&amp;hange…</source>
        <translation>更改(&amp;H)…</translation>
    </message>
    <message>
        <source>Why the bid cannot be sealed yet</source>
        <translation>暂不能密封的原因</translation>
    </message>
    <message>
        <source>Sealing status</source>
        <translation>密封状态</translation>
    </message>
    <message>
        <source>Sea&amp;l…</source>
        <translation>密封(&amp;L)…</translation>
    </message>
    <message>
        <source>Sign and encrypt the bid (Ctrl+Enter)</source>
        <translation>对投标文件签名并加密（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Sealing progress</source>
        <translation>密封进度</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <source>Stop sealing; no file is left behind (Esc)</source>
        <translation>停止密封，不会留下任何文件（Esc）</translation>
    </message>
    <message>
        <source>Sealed bid</source>
        <translation>密封投标文件</translation>
    </message>
    <message>
        <source>Sealing result</source>
        <translation>密封结果</translation>
    </message>
    <message>
        <source>Su&amp;bmit now</source>
        <translation>立即递交(&amp;B)</translation>
    </message>
    <message>
        <source>Open &amp;folder</source>
        <translation>打开文件夹(&amp;F)</translation>
    </message>
    <message>
        <source>Documents of the bid, in order</source>
        <translation>投标文档（按顺序）</translation>
    </message>
    <message>
        <source>Drop files here. Del removes, Alt+Up and Alt+Down move; the order is the order inside the bid.</source>
        <translation>将文件拖放到此处。按 Del 移除，按 Alt+↑ 和 Alt+↓ 移动；列表顺序即投标文件内的顺序。</translation>
    </message>
    <message>
        <source>&amp;Add files…</source>
        <translation>添加文件(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>移除(&amp;R)</translation>
    </message>
    <message>
        <source>Remove the selected documents (Del)</source>
        <translation>移除所选文档（Del）</translation>
    </message>
    <message>
        <source>Move &amp;up</source>
        <translation>上移(&amp;U)</translation>
    </message>
    <message>
        <source>Alt+Up</source>
        <translation>Alt+↑</translation>
    </message>
    <message>
        <source>Move do&amp;wn</source>
        <translation>下移(&amp;W)</translation>
    </message>
    <message>
        <source>Alt+Down</source>
        <translation>Alt+↓</translation>
    </message>
    <message>
        <source>Total size of the documents</source>
        <translation>文档总大小</translation>
    </message>
    <message>
        <source>Problems with the documents</source>
        <translation>文档问题</translation>
    </message>
    <message>
        <source>Preview of the bid-summary form</source>
        <translation>开标一览表预览</translation>
    </message>
    <message>
        <source>E&amp;xport preview PDF…</source>
        <translation>导出预览 PDF(&amp;X)…</translation>
    </message>
    <message>
        <source>Sealing is running; section {0} opens when it has ended.</source>
        <translation>正在密封；密封结束后将打开标段 {0}。</translation>
    </message>
    <message>
        <source>(closed)</source>
        <translation>（已截止）</translation>
    </message>
    <message>
        <source>The sections could not be listed: {0}</source>
        <translation>无法列出标段：{0}</translation>
    </message>
    <message>
        <source>Loading section {0}…</source>
        <translation>正在加载标段 {0}…</translation>
    </message>
    <message>
        <source>The section could not be loaded: {0}</source>
        <translation>无法加载标段：{0}</translation>
    </message>
    <message>
        <source>Your saved draft could not be read and was set aside: {0}</source>
        <translation>无法读取已保存的草稿，已将其另行保存：{0}</translation>
    </message>
    <message>
        <source>{0} document(s) of your draft are missing: {1}. Put them back or remove them from the list.</source>
        <translation>草稿中有 {0} 个文档缺失：{1}。请放回这些文件，或将其从列表中移除。</translation>
    </message>
    <message>
        <source>Last sealed: {0}</source>
        <translation>上次密封：{0}</translation>
    </message>
    <message>
        <source>The tender&apos;s form no longer has these fields; their values were not used: {0}</source>
        <translation>招标文件的开标一览表已不再包含以下字段，其填写值未被使用：{0}</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>No section chosen.</source>
        <translation>未选择标段。</translation>
    </message>
    <message>
        <source>&lt;b&gt;{0}&lt;/b&gt; ({1})&lt;br&gt;Bid deadline: {2} · Opening: {3} · Tender version: {4}</source>
        <translation>&lt;b&gt;{0}&lt;/b&gt;（{1}）&lt;br&gt;投标截止时间：{2} · 开标时间：{3} · 招标文件版本：{4}</translation>
    </message>
    <message>
        <source>Bid deadline in {0} (platform clock)</source>
        <translation>距投标截止还有 {0}（以平台时间为准）</translation>
    </message>
    <message>
        <source>The bid deadline has passed: the platform refuses submissions now.</source>
        <translation>投标截止时间已过：平台不再接受递交。</translation>
    </message>
    <message>
        <source>Log in with your certificate to load section {0}.</source>
        <translation>请使用证书登录以加载标段 {0}。</translation>
    </message>
    <message>
        <source>Log in with your certificate to see the sections and seal a bid.</source>
        <translation>请使用证书登录，以查看标段并密封投标文件。</translation>
    </message>
    <message>
        <source>Add documents to the bid</source>
        <translation>向投标文件添加文档</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>choose a section</source>
        <translation>请选择标段</translation>
    </message>
    <message>
        <source>the bid deadline has passed (platform time)</source>
        <translation>已过投标截止时间（以平台时间为准）</translation>
    </message>
    <message>
        <source>add at least one document</source>
        <translation>请至少添加一个文档</translation>
    </message>
    <message>
        <source>missing documents: {0}</source>
        <translation>缺少文档：{0}</translation>
    </message>
    <message>
        <source>Your draft could not be saved: {0}</source>
        <translation>无法保存草稿：{0}</translation>
    </message>
    <message>
        <source>{0} document(s), {1} in total</source>
        <translation>{0} 个文档，共 {1}</translation>
    </message>
    <message>
        <source>Cannot seal yet: {0}</source>
        <translation>暂不能密封：{0}</translation>
    </message>
    <message>
        <source>Default: {0}</source>
        <translation>默认：{0}</translation>
    </message>
    <message>
        <source>(not signed in)</source>
        <translation>（未登录）</translation>
    </message>
    <message>
        <source>Choose a section to see its form.</source>
        <translation>请选择标段以查看其开标一览表。</translation>
    </message>
    <message>
        <source>Section</source>
        <translation>标段</translation>
    </message>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Unified social credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <source>Opening time</source>
        <translation>开标时间</translation>
    </message>
    <message>
        <source>(not filled in)</source>
        <translation>（未填写）</translation>
    </message>
    <message>
        <source>Export the bid summary as PDF</source>
        <translation>将开标一览表导出为 PDF</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Bid summary saved as {0}</source>
        <translation>开标一览表已保存为 {0}</translation>
    </message>
    <message>
        <source>Replace the sealed file?</source>
        <translation>替换密封投标文件？</translation>
    </message>
    <message>
        <source>{0} already exists; it may be the bid you submitted or are uploading. Replace it with the new sealed bid?</source>
        <translation>{0} 已存在，它可能是您已递交或正在上传的投标文件。要用新密封的投标文件替换它吗？</translation>
    </message>
    <message>
        <source>Save the sealed bid as</source>
        <translation>密封投标文件另存为</translation>
    </message>
    <message>
        <source>Sealed bids (*.sealbid)</source>
        <translation>密封投标文件 (*.sealbid)</translation>
    </message>
    <message>
        <source>Preparing…</source>
        <translation>正在准备…</translation>
    </message>
    <message>
        <source>Sealing the bid for {0}</source>
        <translation>正在为标段 {0} 密封投标文件</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Log in with your certificate before sealing: the bid is signed with your signing key and must open with your own encryption key.</source>
        <translation>密封前请先使用证书登录：投标文件要用您的签名密钥签名，并且必须能用您自己的加密密钥打开。</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <source>Log in now?</source>
        <translation>是否现在登录？</translation>
    </message>
    <message>
        <source>{0} of {1}</source>
        <translation>{0} / {1}</translation>
    </message>
    <message>
        <source>Checking that your key opens the bid…</source>
        <translation>正在检查您的密钥能否打开投标文件…</translation>
    </message>
    <message>
        <source>Self-check passed: your key opens this bid.</source>
        <translation>自检通过：您的密钥可以打开此投标文件。</translation>
    </message>
    <message>
        <source>File: {0}</source>
        <translation>文件：{0}</translation>
    </message>
    <message>
        <source>Size: {0} ({1} bytes)</source>
        <translation>大小：{0}（{1} 字节）</translation>
    </message>
    <message>
        <source>Section: {0}</source>
        <translation>标段：{0}</translation>
    </message>
    <message>
        <source>Signed by: {0}</source>
        <translation>签名人：{0}</translation>
    </message>
    <message>
        <source>Documents: {0}</source>
        <translation>文档数：{0}</translation>
    </message>
    <message>
        <source>Payload SHA-256: {0}</source>
        <translation>内容 SHA-256：{0}</translation>
    </message>
    <message>
        <source>The bid is not submitted yet: submit it before the deadline.</source>
        <translation>投标文件尚未递交：请在投标截止时间前递交。</translation>
    </message>
    <message>
        <source>Sealed: {0}</source>
        <translation>已密封：{0}</translation>
    </message>
    <message>
        <source>Bid sealed: {0}</source>
        <translation>投标文件已密封：{0}</translation>
    </message>
    <message>
        <source>Sealing failed; no file was written: {0}</source>
        <translation>密封失败，未写入任何文件：{0}</translation>
    </message>
    <message>
        <source>Sealing cancelled. No file was written.</source>
        <translation>密封已取消，未写入任何文件。</translation>
    </message>
</context>
<context>
    <name>ReceiptTableModel</name>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Section</source>
        <translation>标段</translation>
    </message>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Received (UTC+8)</source>
        <translation>接收时间（北京时间）</translation>
    </message>
    <message>
        <source>File SHA-256</source>
        <translation>文件 SHA-256</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Sequence</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Verification</source>
        <translation>验证结果</translation>
    </message>
    <message>
        <source>Invalid</source>
        <translation>无效</translation>
    </message>
    <message>
        <source>Intact, unanchored</source>
        <translation>签名完好，未锚定</translation>
    </message>
    <message>
        <source>Verified</source>
        <translation>已验证</translation>
    </message>
</context>
<context>
    <name>ReceiptsPage</name>
    <message>
        <source>Receipts kept on this computer</source>
        <translation>本机保存的回执</translation>
    </message>
    <message>
        <source>Filter by section, bidder, digest…</source>
        <translation>按标段、投标人、摘要筛选…</translation>
    </message>
    <message>
        <source>Filter receipts</source>
        <translation>筛选回执</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>Read and verify the stored receipts again (F5)</source>
        <translation>重新读取并验证已保存的回执（F5）</translation>
    </message>
    <message>
        <source>Receipts</source>
        <translation>回执</translation>
    </message>
    <message>
        <source>Receipt details</source>
        <translation>回执详情</translation>
    </message>
    <message>
        <source>&amp;Verify</source>
        <translation>验证(&amp;V)</translation>
    </message>
    <message>
        <source>Check the platform&apos;s signature again, offline</source>
        <translation>离线重新验证平台签名</translation>
    </message>
    <message>
        <source>Check against a &amp;file…</source>
        <translation>与文件核对(&amp;F)…</translation>
    </message>
    <message>
        <source>Compute a sealed file&apos;s SHA-256 and compare it with the receipt</source>
        <translation>计算密封投标文件的 SHA-256，并与回执比对</translation>
    </message>
    <message>
        <source>Export &amp;PDF…</source>
        <translation>导出 PDF(&amp;P)…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>Reading the receipts…</source>
        <translation>正在读取回执…</translation>
    </message>
    <message>
        <source>No receipts yet: a receipt is kept for every submission and withdrawal.</source>
        <translation>暂无回执：每次递交和撤回都会保存一份回执。</translation>
    </message>
    <message>
        <source>{0} receipt(s); {1} do NOT verify (shown in red).</source>
        <translation>共 {0} 份回执；其中 {1} 份未通过验证（以红色显示）。</translation>
    </message>
    <message>
        <source>{0} receipt(s), all verified.</source>
        <translation>共 {0} 份回执，均已通过验证。</translation>
    </message>
    <message>
        <source>Select a receipt to see every field.</source>
        <translation>选择一份回执以查看全部字段。</translation>
    </message>
    <message>
        <source>The platform&apos;s signature is intact, but the receipt is UNANCHORED</source>
        <translation>平台签名完好，但此回执未锚定（未与平台证书核对）</translation>
    </message>
    <message>
        <source>Receipt verified: signed by the platform</source>
        <translation>回执已验证：由平台签名</translation>
    </message>
    <message>
        <source>This receipt does NOT verify: {0}</source>
        <translation>此回执未通过验证：{0}</translation>
    </message>
    <message>
        <source>Platform signer</source>
        <translation>平台签名者</translation>
    </message>
    <message>
        <source>Signer certificate serial</source>
        <translation>签名证书序列号</translation>
    </message>
    <message>
        <source>Signer certificate issuer</source>
        <translation>签名证书颁发者</translation>
    </message>
    <message>
        <source>Anchored to the pinned platform certificate</source>
        <translation>已锚定到指定的平台证书</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Trust</source>
        <translation>信任依据</translation>
    </message>
    <message>
        <source>Receipt file</source>
        <translation>回执文件</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Failed: see the message.</source>
        <translation>失败：请查看提示信息。</translation>
    </message>
    <message>
        <source>Verifying…</source>
        <translation>正在验证…</translation>
    </message>
    <message>
        <source>Computing the file&apos;s SHA-256…</source>
        <translation>正在计算文件的 SHA-256…</translation>
    </message>
    <message>
        <source>The file matches the receipt: same SHA-256 and size.</source>
        <translation>文件与回执一致：SHA-256 和大小均相同。</translation>
    </message>
    <message>
        <source>The file does NOT match the receipt: its SHA-256 is {0} ({1} bytes).</source>
        <translation>文件与回执不一致：该文件的 SHA-256 为 {0}（{1} 字节）。</translation>
    </message>
    <message>
        <source>Checked again just now.</source>
        <translation>刚刚已重新检查。</translation>
    </message>
    <message>
        <source>Verified.</source>
        <translation>已验证。</translation>
    </message>
    <message>
        <source>The receipt does NOT verify.</source>
        <translation>回执未通过验证。</translation>
    </message>
    <message>
        <source>The file does NOT match the receipt.</source>
        <translation>文件与回执不一致。</translation>
    </message>
    <message>
        <source>Receipt.pdf</source>
        <translation>回执.pdf</translation>
    </message>
    <message>
        <source>Submission receipt</source>
        <translation>递交回执</translation>
    </message>
    <message>
        <source>Withdrawal receipt</source>
        <translation>撤回回执</translation>
    </message>
    <message>
        <source>Writing the PDF…</source>
        <translation>正在生成 PDF…</translation>
    </message>
    <message>
        <source>Saved: {0}</source>
        <translation>已保存：{0}</translation>
    </message>
    <message>
        <source>Receipt saved as PDF: {0}</source>
        <translation>回执已保存为 PDF：{0}</translation>
    </message>
    <message>
        <source>Check against a sealed file</source>
        <translation>与密封投标文件核对</translation>
    </message>
    <message>
        <source>Sealed bids (*.sealbid);;All files (*)</source>
        <translation>密封投标文件 (*.sealbid);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Export the receipt as PDF</source>
        <translation>将回执导出为 PDF</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Anchored at a platform certificate you gave (signer pinned)</source>
        <translation>已锚定到您指定的平台证书（签名者已核对）</translation>
    </message>
    <message>
        <source>Anchored at the platform&apos;s published certificate (signer pinned)</source>
        <translation>已锚定到平台公布的证书（签名者已核对）</translation>
    </message>
    <message>
        <source>Anchored at the platform certificate saved on this computer (signer pinned)</source>
        <translation>已锚定到本机保存的平台证书（签名者已核对）</translation>
    </message>
    <message>
        <source>UNANCHORED: checked only against the chain the receipt carries; the signer is not pinned to the platform&apos;s certificate, so this is not a full verification</source>
        <translation>未锚定：仅凭回执自带的证书链验证，签名者未与平台证书核对，不能作为完整验证</translation>
    </message>
    <message>
        <source>Submission</source>
        <translation>递交</translation>
    </message>
    <message>
        <source>Withdrawal</source>
        <translation>撤回</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Section</source>
        <translation>标段</translation>
    </message>
    <message>
        <source>Platform</source>
        <translation>平台</translation>
    </message>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Unified social credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <source>Bidder certificate SHA-256</source>
        <translation>投标人证书 SHA-256</translation>
    </message>
    <message>
        <source>File SHA-256</source>
        <translation>文件 SHA-256</translation>
    </message>
    <message>
        <source>File size</source>
        <translation>文件大小</translation>
    </message>
    <message>
        <source>{0} ({1} bytes)</source>
        <translation>{0}（{1} 字节）</translation>
    </message>
    <message>
        <source>Received by the platform</source>
        <translation>平台接收时间</translation>
    </message>
    <message>
        <source>Sequence</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Previous receipt SHA-256</source>
        <translation>上一份回执 SHA-256</translation>
    </message>
    <message>
        <source>This receipt&apos;s SHA-256</source>
        <translation>本回执 SHA-256</translation>
    </message>
</context>
<context>
    <name>RecordPanel</name>
    <message>
        <source>Confirmed</source>
        <translation>已签认</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>拒绝签认</translation>
    </message>
    <message>
        <source>Not yet signed</source>
        <translation>未签认</translation>
    </message>
    <message>
        <source>No response</source>
        <translation>未回应</translation>
    </message>
    <message>
        <source>Opening record</source>
        <translation>开标记录</translation>
    </message>
    <message>
        <source>Connection status</source>
        <translation>连接状态</translation>
    </message>
    <message>
        <source>The record appears after the results are announced.</source>
        <translation>唱标后将显示开标记录。</translation>
    </message>
    <message>
        <source>Opening record status</source>
        <translation>开标记录状态</translation>
    </message>
    <message>
        <source>Record digest</source>
        <translation>开标记录摘要</translation>
    </message>
    <message>
        <source>Confirmation deadline</source>
        <translation>签认截止时间</translation>
    </message>
    <message>
        <source>Your row in the record</source>
        <translation>开标记录中的本方信息</translation>
    </message>
    <message>
        <source>Bidders in the record</source>
        <translation>开标记录中的投标人</translation>
    </message>
    <message>
        <source>Signatures on the record</source>
        <translation>开标记录上的签名</translation>
    </message>
    <message>
        <source>Still to sign</source>
        <translation>尚未签署</translation>
    </message>
    <message>
        <source>Confirm the record…</source>
        <translation>签认开标记录…</translation>
    </message>
    <message>
        <source>Confirm the record</source>
        <translation>签认开标记录</translation>
    </message>
    <message>
        <source>Decline to confirm…</source>
        <translation>拒绝签认…</translation>
    </message>
    <message>
        <source>Decline to confirm the record</source>
        <translation>拒绝签认开标记录</translation>
    </message>
    <message>
        <source>Save record…</source>
        <translation>保存开标记录…</translation>
    </message>
    <message>
        <source>Save the record as a JSON file</source>
        <translation>将开标记录保存为 JSON 文件</translation>
    </message>
    <message>
        <source>Save PDF…</source>
        <translation>保存 PDF…</translation>
    </message>
    <message>
        <source>Save the signed record PDF</source>
        <translation>保存已签署的开标记录 PDF</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <source>Print the signed record</source>
        <translation>打印已签署的开标记录</translation>
    </message>
    <message>
        <source>Record status</source>
        <translation>开标记录状态</translation>
    </message>
    <message>
        <source>Signatures</source>
        <translation>签名</translation>
    </message>
    <message>
        <source>Connection to the platform lost — reconnecting; shown as of {time}</source>
        <translation>与平台的连接已中断，正在重新连接；当前显示的是 {time} 时的状态</translation>
    </message>
    <message>
        <source>Connecting to the platform…</source>
        <translation>正在连接平台…</translation>
    </message>
    <message>
        <source>A new revision of the record was issued: review it before signing.</source>
        <translation>开标记录已生成新版本：请在签署前查看。</translation>
    </message>
    <message>
        <source>Reading the signed record from the platform…</source>
        <translation>正在从平台读取已签署的开标记录…</translation>
    </message>
    <message>
        <source>{project} — {section} ({code}), revision {revision}</source>
        <translation>{project} — {section}（{code}），第 {revision} 版</translation>
    </message>
    <message>
        <source>Record digest (SHA-256): {digest}</source>
        <translation>开标记录摘要（SHA-256）：{digest}</translation>
    </message>
    <message>
        <source>The opening finished; the record is closed.</source>
        <translation>开标已结束，开标记录已关闭。</translation>
    </message>
    <message>
        <source>The platform names another revision: checking which one is current…</source>
        <translation>平台指向另一个版本：正在核对当前版本…</translation>
    </message>
    <message>
        <source>Your row: No. {number} {name} — decryption: {decryption}
{summary}</source>
        <translation>本方信息：序号 {number} {name} — 解密：{decryption}
{summary}</translation>
    </message>
    <message>
        <source>Everyone has signed this revision.</source>
        <translation>所有人均已签署此版本。</translation>
    </message>
    <message>
        <source>Staff still to sign: {names}</source>
        <translation>尚未签署的工作人员：{names}</translation>
    </message>
    <message>
        <source>Bidders still to sign: {names}</source>
        <translation>尚未签认的投标人：{names}</translation>
    </message>
    <message>
        <source>Confirm by {time} (platform time; {left} left)</source>
        <translation>请于 {time} 前签认（平台时间；剩余 {left}）</translation>
    </message>
    <message>
        <source>You have signed this revision.</source>
        <translation>您已签署此版本。</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Opening record (*.json)</source>
        <translation>开标记录 (*.json)</translation>
    </message>
    <message>
        <source>Save the opening record</source>
        <translation>保存开标记录</translation>
    </message>
    <message>
        <source>Confirm the opening record, revision {revision}?

SHA-256 {digest}

Your signature is final for this revision.</source>
        <translation>签认开标记录（第 {revision} 版）？

SHA-256 {digest}

签署后，您对此版本的签名不可更改。</translation>
    </message>
    <message>
        <source>Decline to confirm</source>
        <translation>拒绝签认</translation>
    </message>
    <message>
        <source>Why do you decline to confirm this record? The reason goes on the record.</source>
        <translation>请说明拒绝签认此开标记录的理由。该理由将记入开标记录。</translation>
    </message>
    <message>
        <source>Declining needs a reason: nothing was signed. Enter the reason and try again.</source>
        <translation>拒绝签认须填写理由：未作任何签署。请填写理由后重试。</translation>
    </message>
    <message>
        <source>Decline to confirm the opening record, revision {revision}, with this reason?

{reason}</source>
        <translation>以下列理由拒绝签认开标记录（第 {revision} 版）？

{reason}</translation>
    </message>
    <message>
        <source>Signing the record…</source>
        <translation>正在签署开标记录…</translation>
    </message>
    <message>
        <source>You signed the record: {decision} ({time}).</source>
        <translation>您已签署开标记录：{decision}（{time}）。</translation>
    </message>
    <message>
        <source>Saving the record…</source>
        <translation>正在保存开标记录…</translation>
    </message>
    <message>
        <source>Record saved: {path}</source>
        <translation>开标记录已保存：{path}</translation>
    </message>
    <message>
        <source>Getting the signed record PDF from the platform (it is made after the finish; this can take a minute)…</source>
        <translation>正在从平台获取已签署的开标记录 PDF（开标结束后生成，可能需要一分钟左右）…</translation>
    </message>
    <message>
        <source>The signed record PDF verifies.</source>
        <translation>已签署的开标记录 PDF 验证通过。</translation>
    </message>
    <message>
        <source>Saving the PDF…</source>
        <translation>正在保存 PDF…</translation>
    </message>
    <message>
        <source>Signed record PDF saved: {path}</source>
        <translation>已签署的开标记录 PDF 已保存：{path}</translation>
    </message>
    <message>
        <source>Opening record — {section}</source>
        <translation>开标记录 — {section}</translation>
    </message>
    <message>
        <source>Preparing the pages for printing…</source>
        <translation>正在准备打印页面…</translation>
    </message>
    <message>
        <source>the printer could not be opened</source>
        <translation>无法打开打印机</translation>
    </message>
    <message>
        <source>Printed {pages} page(s).</source>
        <translation>已打印 {pages} 页。</translation>
    </message>
    <message>
        <source>Preparing the print preview…</source>
        <translation>正在准备打印预览…</translation>
    </message>
    <message>
        <source>Print preview opened ({pages} page(s)).</source>
        <translation>已打开打印预览（共 {pages} 页）。</translation>
    </message>
</context>
<context>
    <name>RecordRowsModel</name>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Decryption</source>
        <translation>解密状态</translation>
    </message>
    <message>
        <source>Bid summary</source>
        <translation>开标一览表</translation>
    </message>
    <message>
        <source>Confirmation</source>
        <translation>签认状态</translation>
    </message>
    <message>
        <source>{number} (your row)</source>
        <translation>{number}（本方）</translation>
    </message>
    <message>
        <source>Your row: this is what you sign for</source>
        <translation>本方信息：即您签认的内容</translation>
    </message>
</context>
<context>
    <name>ResultsModel</name>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Credit code</source>
        <translation>信用代码</translation>
    </message>
    <message>
        <source>Decryption</source>
        <translation>解密状态</translation>
    </message>
    <message>
        <source>Cause (not opened)</source>
        <translation>未解密原因</translation>
    </message>
    <message>
        <source> (you)</source>
        <translation>（我方）</translation>
    </message>
</context>
<context>
    <name>SealedFileDialog</name>
    <message>
        <source>Sealed bid file — {0}</source>
        <translation>密封投标文件 — {0}</translation>
    </message>
    <message>
        <source>Reading {0} …</source>
        <translation>正在读取 {0} …</translation>
    </message>
    <message>
        <source>File status</source>
        <translation>文件状态</translation>
    </message>
    <message>
        <source>Section</source>
        <translation>标段</translation>
    </message>
    <message>
        <source>Tender version</source>
        <translation>招标文件版本</translation>
    </message>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Signing certificate</source>
        <translation>签名证书</translation>
    </message>
    <message>
        <source>Sealed at</source>
        <translation>密封时间</translation>
    </message>
    <message>
        <source>Opening time</source>
        <translation>开标时间</translation>
    </message>
    <message>
        <source>Encrypted content</source>
        <translation>加密内容</translation>
    </message>
    <message>
        <source>Can be opened by</source>
        <translation>可解密方</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Read without a key: nothing was decrypted or sent. Submit it from My submissions; it opens only at the opening.</source>
        <translation>仅读取文件信息，未使用密钥：没有解密，也没有发送任何内容。请在“我的投标”中递交；投标文件只在开标时解密。</translation>
    </message>
    <message>
        <source>{0}, serial {1:x}</source>
        <translation>{0}，序列号 {1:x}</translation>
    </message>
    <message>
        <source>{0}, SHA-256 {1}</source>
        <translation>{0}，SHA-256 {1}</translation>
    </message>
    <message>
        <source>{0} ({1})</source>
        <translation>{0}（{1}）</translation>
    </message>
    <message>
        <source>The header matches what the bidder signed (format {0}).</source>
        <translation>文件头与投标人签名的内容一致（格式 {0}）。</translation>
    </message>
    <message>
        <source>This is not a readable sealed bid: {0}</source>
        <translation>无法读取此密封投标文件：{0}</translation>
    </message>
</context>
<context>
    <name>SectionDetails</name>
    <message>
        <source>Section details</source>
        <translation>标段详情</translation>
    </message>
    <message>
        <source>Tender version warning</source>
        <translation>招标文件版本提示</translation>
    </message>
    <message>
        <source>Bid deadline:</source>
        <translation>投标截止时间：</translation>
    </message>
    <message>
        <source>Time left (platform clock):</source>
        <translation>剩余时间（以平台时间为准）：</translation>
    </message>
    <message>
        <source>Opening time:</source>
        <translation>开标时间：</translation>
    </message>
    <message>
        <source>Tender version:</source>
        <translation>招标文件版本：</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <source>&amp;Prepare a bid…</source>
        <translation>编制投标文件(&amp;P)…</translation>
    </message>
    <message>
        <source>Prepare a bid for this section</source>
        <translation>为此标段编制投标文件</translation>
    </message>
    <message>
        <source>Bid-summary form</source>
        <translation>开标一览表</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>Bid-summary form fields</source>
        <translation>开标一览表字段</translation>
    </message>
    <message>
        <source>Tender documents and clarifications</source>
        <translation>招标文件和答疑澄清</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>发布时间</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>Tender documents</source>
        <translation>招标文件</translation>
    </message>
    <message>
        <source>Sa&amp;ve to:</source>
        <translation>保存到(&amp;V)：</translation>
    </message>
    <message>
        <source>Ca&amp;ncel download</source>
        <translation>取消下载(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Open folder</source>
        <translation>打开文件夹(&amp;O)</translation>
    </message>
    <message>
        <source>Download folder</source>
        <translation>下载文件夹</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>&amp;Download selected</source>
        <translation>下载所选(&amp;D)</translation>
    </message>
    <message>
        <source>Download &amp;all</source>
        <translation>全部下载(&amp;A)</translation>
    </message>
    <message>
        <source>Download progress</source>
        <translation>下载进度</translation>
    </message>
    <message>
        <source>Download result</source>
        <translation>下载结果</translation>
    </message>
    <message>
        <source>No section selected</source>
        <translation>未选择标段</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Whole number</source>
        <translation>整数</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>One of: {0}</source>
        <translation>可选值：{0}</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Clarification</source>
        <translation>答疑澄清</translation>
    </message>
    <message>
        <source>Tender</source>
        <translation>招标文件</translation>
    </message>
    <message>
        <source>New: published after the documents you downloaded. Read it.</source>
        <translation>新发布：在您下载文件之后发布，请阅读。</translation>
    </message>
</context>
<context>
    <name>SectionsModel</name>
    <message>
        <source>Open for bids</source>
        <translation>投标中</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已截止</translation>
    </message>
    <message>
        <source>submitted</source>
        <translation>已递交</translation>
    </message>
    <message>
        <source>withdrawn</source>
        <translation>已撤回</translation>
    </message>
    <message>
        <source>submitted bid is for an old tender version</source>
        <translation>已递交的投标文件基于旧版招标文件</translation>
    </message>
    <message>
        <source>sealed bid is for an old tender version</source>
        <translation>已密封的投标文件基于旧版招标文件</translation>
    </message>
    <message>
        <source>new clarification</source>
        <translation>有新的答疑澄清</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Section code</source>
        <translation>标段编号</translation>
    </message>
    <message>
        <source>Section</source>
        <translation>标段</translation>
    </message>
    <message>
        <source>Sector</source>
        <translation>行业</translation>
    </message>
    <message>
        <source>Bid deadline</source>
        <translation>投标截止时间</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <source>Opening time</source>
        <translation>开标时间</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
</context>
<context>
    <name>SectionsPage</name>
    <message>
        <source>&amp;Search:</source>
        <translation>搜索(&amp;S)：</translation>
    </message>
    <message>
        <source>Project or section name or code (Ctrl+F)</source>
        <translation>项目或标段的名称、编号（Ctrl+F）</translation>
    </message>
    <message>
        <source>Search projects and sections</source>
        <translation>搜索项目和标段</translation>
    </message>
    <message>
        <source>Sec&amp;tor:</source>
        <translation>行业(&amp;T)：</translation>
    </message>
    <message>
        <source>Sector filter</source>
        <translation>行业筛选</translation>
    </message>
    <message>
        <source>All sectors</source>
        <translation>全部行业</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>Load the catalogue again (F5)</source>
        <translation>重新加载项目列表（F5）</translation>
    </message>
    <message>
        <source>Loading</source>
        <translation>正在加载</translation>
    </message>
    <message>
        <source>Sections</source>
        <translation>标段</translation>
    </message>
    <message>
        <source>Log in first: the trading platform shows its projects and sections to signed-in users only. Use your certificate (CA lock or certificate file).</source>
        <translation>请先登录：交易平台只向已登录用户显示项目和标段。请使用您的证书（CA锁或证书文件）登录。</translation>
    </message>
    <message>
        <source>&amp;Log in…</source>
        <translation>登录(&amp;L)…</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Catalogue status</source>
        <translation>项目列表状态</translation>
    </message>
    <message>
        <source>Projects and sections</source>
        <translation>项目和标段</translation>
    </message>
    <message>
        <source>Loading the catalogue…</source>
        <translation>正在加载项目列表…</translation>
    </message>
    <message>
        <source>{0} section(s) in {1} project(s); updated {2}</source>
        <translation>{1} 个项目，共 {0} 个标段；更新于 {2}</translation>
    </message>
    <message>
        <source>Could not refresh the catalogue; the list shown is from the last load.</source>
        <translation>无法刷新项目列表；当前显示的是上次加载的列表。</translation>
    </message>
    <message>
        <source>Not signed in.</source>
        <translation>未登录。</translation>
    </message>
    <message>
        <source>Section {0} · project {1} ({2}) · {3}</source>
        <translation>标段 {0} · 项目 {1}（{2}）· {3}</translation>
    </message>
    <message>
        <source>none published</source>
        <translation>尚未发布</translation>
    </message>
    <message>
        <source>Your submitted bid was sealed for an older tender version: the tender documents changed after you sealed it. Read the new documents, then seal and submit your bid again before the deadline.</source>
        <translation>您已递交的投标文件是按旧版招标文件密封的：密封后招标文件有了变更。请阅读新的招标文件，然后在投标截止时间前重新密封并递交投标文件。</translation>
    </message>
    <message>
        <source>Your sealed bid file {0} was sealed for an older tender version. The platform refuses it: read the new documents and seal the bid again.</source>
        <translation>您的密封投标文件 {0} 是按旧版招标文件密封的，平台将拒绝接收：请阅读新的招标文件并重新密封。</translation>
    </message>
    <message>
        <source>The bid deadline has passed by the platform&apos;s clock: no more bids are accepted.</source>
        <translation>以平台时间为准，投标截止时间已过：不再接受投标。</translation>
    </message>
    <message>
        <source>{0}: the bid deadline has passed; no bid can be prepared.</source>
        <translation>{0}：投标截止时间已过，无法再编制投标文件。</translation>
    </message>
    <message>
        <source>Download the documents into</source>
        <translation>将文件下载到</translation>
    </message>
    <message>
        <source>Choose a folder to save the documents in.</source>
        <translation>请选择保存文件的文件夹。</translation>
    </message>
    <message>
        <source>Download cancelled; nothing partial was kept.</source>
        <translation>下载已取消，未保留不完整的文件。</translation>
    </message>
    <message>
        <source>Digest verified: the SHA-256 of each file matches the published one.</source>
        <translation>摘要已验证：每个文件的 SHA-256 均与公布值一致。</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Trading platform</source>
        <translation>交易平台</translation>
    </message>
    <message>
        <source>Built-in &amp;sandbox platform (practice)</source>
        <translation>内置沙箱平台（练习用）(&amp;S)</translation>
    </message>
    <message>
        <source>Platform &amp;URL:</source>
        <translation>平台 URL(&amp;U)：</translation>
    </message>
    <message>
        <source>Platform URL</source>
        <translation>平台 URL</translation>
    </message>
    <message>
        <source>Platform URL problem</source>
        <translation>平台 URL 问题</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>Proxy URL</source>
        <translation>代理 URL</translation>
    </message>
    <message>
        <source>Proxy problem</source>
        <translation>代理问题</translation>
    </message>
    <message>
        <source>Empty: the system&apos;s trusted CAs</source>
        <translation>留空：使用系统信任的 CA</translation>
    </message>
    <message>
        <source>TLS CA bundle</source>
        <translation>TLS CA 证书文件</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>TLS CA bundle problem</source>
        <translation>TLS CA 证书文件问题</translation>
    </message>
    <message>
        <source>&amp;Proxy:</source>
        <translation>代理(&amp;P)：</translation>
    </message>
    <message>
        <source>TLS &amp;CA bundle (PEM):</source>
        <translation>TLS CA 证书文件（PEM）(&amp;C)：</translation>
    </message>
    <message>
        <source>The proxy is used for https:// platforms only. The CA bundle is needed when the platform&apos;s TLS certificate comes from a CA this computer does not know.</source>
        <translation>代理仅用于 https:// 平台。如果平台的 TLS 证书由本机不认识的 CA 签发，需要指定 CA 证书文件。</translation>
    </message>
    <message>
        <source>Language and USB key</source>
        <translation>语言和CA锁</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>A new language applies after SealBid restarts.</source>
        <translation>更改语言后，需重启 SealBid 才能生效。</translation>
    </message>
    <message>
        <source>PKCS#11 module</source>
        <translation>PKCS#11 模块</translation>
    </message>
    <message>
        <source>Empty: no USB key (pick a module from the list)</source>
        <translation>留空：不使用CA锁（可从列表中选择模块）</translation>
    </message>
    <message>
        <source>B&amp;rowse…</source>
        <translation>浏览(&amp;R)…</translation>
    </message>
    <message>
        <source>PKCS#11 module problem</source>
        <translation>PKCS#11 模块问题</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <source>PKCS#11 &amp;module:</source>
        <translation>PKCS#11 模块(&amp;M)：</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Save the settings (Ctrl+S)</source>
        <translation>保存设置（Ctrl+S）</translation>
    </message>
    <message>
        <source>Re&amp;vert</source>
        <translation>还原(&amp;V)</translation>
    </message>
    <message>
        <source>Settings message</source>
        <translation>设置消息</translation>
    </message>
    <message>
        <source>Choose the CA bundle (PEM)</source>
        <translation>选择 CA 证书文件（PEM）</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>PEM 证书 (*.pem *.crt *.cer);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Choose the PKCS#11 module of your USB key</source>
        <translation>选择CA锁的 PKCS#11 模块</translation>
    </message>
    <message>
        <source>Enter the platform&apos;s address (https://…).</source>
        <translation>请输入平台地址（https://…）。</translation>
    </message>
    <message>
        <source>The proxy must start with http:// or https://.</source>
        <translation>代理地址必须以 http:// 或 https:// 开头。</translation>
    </message>
    <message>
        <source>The proxy needs a host name: http://host:port.</source>
        <translation>代理地址须包含主机名：http://主机名:端口。</translation>
    </message>
    <message>
        <source>The proxy&apos;s port must be a number from 1 to 65535.</source>
        <translation>代理端口必须是 1 到 65535 之间的数字。</translation>
    </message>
    <message>
        <source>Give the proxy as http://host:port, without a path.</source>
        <translation>请按 http://主机名:端口 的格式填写代理地址，不要包含路径。</translation>
    </message>
    <message>
        <source>No such file: {0}. Install the USB key&apos;s driver or choose its module.</source>
        <translation>文件不存在：{0}。请安装CA锁驱动程序，或选择其模块。</translation>
    </message>
    <message>
        <source>Checking the CA bundle…</source>
        <translation>正在检查 CA 证书文件…</translation>
    </message>
    <message>
        <source>Not a usable CA bundle: {0}</source>
        <translation>不是可用的 CA 证书文件：{0}</translation>
    </message>
    <message>
        <source>Nothing was saved: correct the fields marked in red.</source>
        <translation>未保存任何设置：请更正标红的字段。</translation>
    </message>
    <message>
        <source>Settings saved.</source>
        <translation>设置已保存。</translation>
    </message>
    <message>
        <source>The new language applies after SealBid restarts.</source>
        <translation>新语言将在 SealBid 重启后生效。</translation>
    </message>
    <message>
        <source>Restart SealBid to start the sandbox platform.</source>
        <translation>请重启 SealBid 以启动沙箱平台。</translation>
    </message>
</context>
<context>
    <name>SignaturesModel</name>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>意见</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Certificate serial {serial}
{subject}</source>
        <translation>证书序列号 {serial}
{subject}</translation>
    </message>
</context>
<context>
    <name>SubmissionsModel</name>
    <message>
        <source>Section</source>
        <translation>标段</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>File SHA-256</source>
        <translation>文件 SHA-256</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Time (UTC+8)</source>
        <translation>时间（北京时间）</translation>
    </message>
    <message>
        <source>Deadline (UTC+8)</source>
        <translation>投标截止时间（北京时间）</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <source>Submitted</source>
        <translation>已递交</translation>
    </message>
    <message>
        <source>Withdrawn</source>
        <translation>已撤回</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>{0} (local record)</source>
        <translation>{0}（本地记录）</translation>
    </message>
</context>
<context>
    <name>SubmissionsPage</name>
    <message>
        <source>My submissions</source>
        <translation>我的投标</translation>
    </message>
    <message>
        <source>Submit a &amp;sealed bid…</source>
        <translation>递交密封投标文件(&amp;S)…</translation>
    </message>
    <message>
        <source>Choose a .sealbid file and upload it (Ctrl+O)</source>
        <translation>选择 .sealbid 文件并上传（Ctrl+O）</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>Ask the platform again (F5)</source>
        <translation>重新向平台查询（F5）</translation>
    </message>
    <message>
        <source>Section</source>
        <translation>标段</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Received by the platform</source>
        <translation>平台已接收</translation>
    </message>
    <message>
        <source>Unfinished uploads</source>
        <translation>未完成的上传</translation>
    </message>
    <message>
        <source>Re&amp;place…</source>
        <translation>替换(&amp;P)…</translation>
    </message>
    <message>
        <source>Submit another sealed file instead of this one</source>
        <translation>改为递交另一个密封投标文件</translation>
    </message>
    <message>
        <source>&amp;Withdraw</source>
        <translation>撤回(&amp;W)</translation>
    </message>
    <message>
        <source>Withdraw (撤回) the bid before the deadline</source>
        <translation>在投标截止时间前撤回投标文件</translation>
    </message>
    <message>
        <source>Re&amp;hearse decryption</source>
        <translation>解密自检(&amp;H)</translation>
    </message>
    <message>
        <source>解密自检: prove that your current key opens the bid stored on the platform</source>
        <translation>解密自检：验证您当前的密钥能否打开平台上保存的投标文件</translation>
    </message>
    <message>
        <source>Submissions status</source>
        <translation>递交状态</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Sections I have bid on</source>
        <translation>我已投标的标段</translation>
    </message>
    <message>
        <source>Log in with your certificate to see your submissions.</source>
        <translation>请使用证书登录以查看您的投标。</translation>
    </message>
    <message>
        <source>Asking the platform…</source>
        <translation>正在向平台查询…</translation>
    </message>
    <message>
        <source>You have not submitted a bid yet.</source>
        <translation>您尚未递交投标文件。</translation>
    </message>
    <message>
        <source>Could not ask the platform ({0}). Shown: the receipts kept on this computer.</source>
        <translation>无法查询平台（{0}）。以下显示的是本机保存的回执。</translation>
    </message>
    <message>
        <source>As the platform had it at {0}.</source>
        <translation>平台于 {0} 的记录。</translation>
    </message>
    <message>
        <source>{0} unfinished upload(s): resume them in “My submissions”.</source>
        <translation>有 {0} 个未完成的上传：请在“我的投标”中继续。</translation>
    </message>
    <message>
        <source>{0} ({1} %)</source>
        <translation>{0}（{1}%）</translation>
    </message>
    <message>
        <source>The file is no longer there</source>
        <translation>文件已不存在</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续上传</translation>
    </message>
    <message>
        <source>Resume the upload for section {0}</source>
        <translation>继续上传标段 {0} 的投标文件</translation>
    </message>
    <message>
        <source>Upload running</source>
        <translation>正在上传</translation>
    </message>
    <message>
        <source>Another upload is running. Pause it or let it finish first.</source>
        <translation>另一个上传正在进行。请先暂停它或等它完成。</translation>
    </message>
    <message>
        <source>Replace the submitted bid?</source>
        <translation>替换已递交的投标文件？</translation>
    </message>
    <message>
        <source>The bid now submitted for section {0} will be replaced by {1}.

The platform keeps only the new file and signs a new receipt; the old one no longer counts. Continue?</source>
        <translation>标段 {0} 当前已递交的投标文件将被替换为 {1}。

平台只保留新文件并签发新的回执，原投标文件不再有效。是否继续？</translation>
    </message>
    <message>
        <source>Withdraw the bid?</source>
        <translation>撤回投标文件？</translation>
    </message>
    <message>
        <source>Withdraw the bid submitted for section {0} {1}?

The platform will no longer hold a bid from you for this section. You can submit again before the deadline.</source>
        <translation>确定撤回在标段 {0} {1} 已递交的投标文件吗？

撤回后，平台将不再保存您在此标段的投标文件。投标截止时间前您仍可重新递交。</translation>
    </message>
    <message>
        <source>Withdrawing…</source>
        <translation>正在撤回…</translation>
    </message>
    <message>
        <source>Withdrawn: the platform&apos;s signed receipt verified.</source>
        <translation>已撤回：平台签名的回执已通过验证。</translation>
    </message>
    <message>
        <source>Rehearsing the decryption…</source>
        <translation>正在进行解密自检…</translation>
    </message>
    <message>
        <source>Rehearsal passed.</source>
        <translation>解密自检通过。</translation>
    </message>
    <message>
        <source>Rehearsal FAILED.</source>
        <translation>解密自检未通过。</translation>
    </message>
    <message>
        <source>Rehearsal passed: your current key opens the uploaded bid.</source>
        <translation>解密自检通过：您当前的密钥可以打开已上传的投标文件。</translation>
    </message>
    <message>
        <source>Rehearsal FAILED: fix the problems below before the opening.</source>
        <translation>解密自检未通过：请在开标前解决以下问题。</translation>
    </message>
    <message>
        <source>Stored file SHA-256</source>
        <translation>平台所存文件的 SHA-256</translation>
    </message>
    <message>
        <source>Sealed for</source>
        <translation>密封所用的收件人证书</translation>
    </message>
    <message>
        <source>Current encryption certificate</source>
        <translation>当前加密证书</translation>
    </message>
    <message>
        <source>Opening time</source>
        <translation>开标时间</translation>
    </message>
    <message>
        <source>Encryption certificate expires</source>
        <translation>加密证书到期时间</translation>
    </message>
    <message>
        <source>Latest receipt</source>
        <translation>最新回执</translation>
    </message>
    <message>
        <source>matches the stored file</source>
        <translation>与平台所存文件一致</translation>
    </message>
    <message>
        <source>Choose a sealed bid</source>
        <translation>选择密封投标文件</translation>
    </message>
    <message>
        <source>Sealed bids (*.sealbid);;All files (*)</source>
        <translation>密封投标文件 (*.sealbid);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>SubmitDialog</name>
    <message>
        <source>Submit a sealed bid</source>
        <translation>递交密封投标文件</translation>
    </message>
    <message>
        <source>Section</source>
        <translation>标段</translation>
    </message>
    <message>
        <source>Reading the sealed file and the platform&apos;s sections…</source>
        <translation>正在读取密封投标文件和平台标段…</translation>
    </message>
    <message>
        <source>&amp;Submit</source>
        <translation>递交(&amp;S)</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>&amp;Section:</source>
        <translation>标段(&amp;S)：</translation>
    </message>
    <message>
        <source>This file cannot be submitted: {0}</source>
        <translation>此文件无法递交：{0}</translation>
    </message>
    <message>
        <source>The platform&apos;s sections cannot be read: {0}</source>
        <translation>无法读取平台的标段：{0}</translation>
    </message>
    <message>
        <source>No section is open for bids now.</source>
        <translation>目前没有正在接受投标的标段。</translation>
    </message>
    <message>
        <source>The file is sealed for section {0}, which is not open for bids.</source>
        <translation>此文件是为标段 {0} 密封的，但该标段目前不接受投标。</translation>
    </message>
    <message>
        <source>The file is sealed for section {0}: it cannot be submitted to another one.</source>
        <translation>此文件是为标段 {0} 密封的，不能递交到其他标段。</translation>
    </message>
    <message>
        <source>The file is sealed for section {0}.</source>
        <translation>此文件是为标段 {0} 密封的。</translation>
    </message>
</context>
<context>
    <name>SummaryFormWidget</name>
    <message>
        <source>Choose a section to see its bid-summary form.</source>
        <translation>请选择标段以查看其开标一览表。</translation>
    </message>
    <message>
        <source>This section&apos;s form has no fields.</source>
        <translation>此标段的开标一览表没有字段。</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>请选择…</translation>
    </message>
    <message>
        <source>Amount in figures, e.g. 1,234,567.89</source>
        <translation>小写金额，例如 1,234,567.89</translation>
    </message>
    <message>
        <source>Whole number</source>
        <translation>整数</translation>
    </message>
    <message>
        <source>Date, YYYY-MM-DD</source>
        <translation>日期，格式 YYYY-MM-DD</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>{0} in Chinese capitals</source>
        <translation>{0}（大写）</translation>
    </message>
    <message>
        <source>Thousands separators are misplaced: check the figures</source>
        <translation>千位分隔符位置有误：请检查金额数字</translation>
    </message>
    <message>
        <source>In capitals: {0}</source>
        <translation>大写：{0}</translation>
    </message>
</context>
<context>
    <name>UploadPanel</name>
    <message>
        <source>Checking the sealed file…</source>
        <translation>正在检查密封投标文件…</translation>
    </message>
    <message>
        <source>Computing the file&apos;s SHA-256 and contacting the platform…</source>
        <translation>正在计算文件的 SHA-256 并连接平台…</translation>
    </message>
    <message>
        <source>Reconnected after a dropped connection: sending again from {0}, where the platform stands.</source>
        <translation>连接中断后已重新连接：从平台已收到的 {0} 处继续发送。</translation>
    </message>
    <message>
        <source>Upload</source>
        <translation>上传</translation>
    </message>
    <message>
        <source>Uploading…</source>
        <translation>正在上传…</translation>
    </message>
    <message>
        <source>No upload running.</source>
        <translation>当前没有上传任务。</translation>
    </message>
    <message>
        <source>Upload progress</source>
        <translation>上传进度</translation>
    </message>
    <message>
        <source>Bytes sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <source>Upload speed</source>
        <translation>上传速度</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <source>Upload status</source>
        <translation>上传状态</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <source>Stop for now; the platform keeps what it received and Resume continues</source>
        <translation>暂时停止；平台会保留已接收的部分，点击“继续上传”即可接着上传</translation>
    </message>
    <message>
        <source>Res&amp;ume</source>
        <translation>继续上传(&amp;U)</translation>
    </message>
    <message>
        <source>Submission result</source>
        <translation>递交结果</translation>
    </message>
    <message>
        <source>Sent:</source>
        <translation>已发送：</translation>
    </message>
    <message>
        <source>Speed:</source>
        <translation>速度：</translation>
    </message>
    <message>
        <source>Time left:</source>
        <translation>剩余时间：</translation>
    </message>
    <message>
        <source>Another upload is running: pause it or wait until it ends.</source>
        <translation>另一个上传任务正在进行：请先暂停该任务或等待其完成。</translation>
    </message>
    <message>
        <source>Section {0} — {1}</source>
        <translation>标段 {0} — {1}</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Uploading {0}</source>
        <translation>正在上传 {0}</translation>
    </message>
    <message>
        <source>Pausing…</source>
        <translation>正在暂停…</translation>
    </message>
    <message>
        <source>{0} of {1}</source>
        <translation>{0} / {1}</translation>
    </message>
    <message>
        <source>{0}/s</source>
        <translation>{0}/秒</translation>
    </message>
    <message>
        <source>All sent. The platform is checking the whole file and signing the receipt…</source>
        <translation>已全部发送。平台正在校验整个文件并签发回执…</translation>
    </message>
    <message>
        <source>Connection interrupted or very slow — reconnecting… The upload continues by itself.</source>
        <translation>连接中断或速度过慢，正在重新连接…上传将自动继续。</translation>
    </message>
    <message>
        <source>Submitted. The platform&apos;s receipt was verified and saved.</source>
        <translation>已递交。平台回执已通过验证并保存。</translation>
    </message>
    <message>
        <source>Submitted: the platform&apos;s signed receipt verified.</source>
        <translation>已递交：平台签名的回执已通过验证。</translation>
    </message>
    <message>
        <source>Upload stopped: {0} Resume continues where the platform stands.</source>
        <translation>上传已停止：{0} 点击“继续上传”将从平台已接收的位置接着上传。</translation>
    </message>
    <message>
        <source>Upload stopped: {0}</source>
        <translation>上传已停止：{0}</translation>
    </message>
    <message>
        <source>Paused. The platform keeps what it received; Resume continues from there.</source>
        <translation>已暂停。平台会保留已接收的部分，点击“继续上传”即可从该处接着上传。</translation>
    </message>
</context>
</TS>
