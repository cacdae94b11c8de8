"""Words of the command line's --help: each command's and option's help, the examples, and
argparse's own headings and messages (`argparse_*`, which drillsim.arguments hands argparse in
place of its gettext words).

A help text is %-formatted by argparse: a literal percent sign in an option's help is written %%.
"""

HELP: dict[str, dict[str, str]] = {
    "zh": {
        "help_cmd_list": "列出随附的场景(以及 --scenarios 文件夹中的场景)",
        "help_list_json": "输出JSON",
        "help_cmd_validate": "检查预案、场景和变体文件(有问题时退出码为2)",
        "help_desc_validate": (
            "检查文件;每个问题以 文件:行:列: 说明 的形式输出。全部有效时退出码为0,否则为2。"
        ),
        "help_validate_actions": "同时检查一个动作文件……",
        "help_validate_scenario": "……对照此场景检查",
        "help_cmd_schema": "输出文件格式的JSON Schema",
        "help_cmd_describe": "场景所用预案的角色、渠道、服务和义务",
        "help_describe_json": "输出JSON(README中的约定格式)",
        "help_cmd_run": "无界面运行一个场景并评分",
        "help_desc_run": "由机器人(和/或脚本)从头到尾运行SCENARIO,并输出结论。",
        "help_run_seed": "随机种子(默认1):种子和动作相同,日志就相同",
        "help_run_actions": "动作文件:其中列出的角色由脚本扮演",
        "help_run_others": "脚本未扮演的角色由谁扮演:机器人(默认)或无人(idle)",
        "help_run_log": "将事件日志(JSON Lines,带哈希链)写到此处;FILE已存在则拒绝",
        "help_run_vary": "按种子抽取场景的 `vary` 范围(注入时间、事实)",
        "help_run_json": "以JSON输出结果(README中的约定格式)",
        "help_cmd_score": "为已保存的事件日志评分(结果与 `run` 相同);--verify 检查日志未被改动",
        "help_desc_score": (
            "为已保存的事件日志评分。加 --verify:检查日志的哈希链,并按其种子和记录的动作重新模拟"
            ";退出码说明结果(0 完整,3 开始记录被改动,4 某行被改动,5 有行被删除或插入,6 重新模拟"
            "结果不同,7 没有哈希链;见README“事件日志”)。"
        ),
        "help_score_log": "由 run --log 或 play 写出的事件日志",
        "help_score_json": "输出JSON",
        "help_score_verify": "检查哈希链并重新模拟,而不评分",
        "help_cmd_drill": "实战演练的现场记录:记录里程碑时间、清点人数、实时结论",
        "help_desc_drill": (
            "按真实时钟打开演练控制台。记录警报(按键1)之前一切都不开始;之后评估员按一个键记录里"
            "程碑,疏散引导员为到场人员签到,结论随预案时限实时更新。每次记录和签到都是演练日志中"
            "的一个事件。"
        ),
        "help_drill_scenario": (
            "设为实战演练的场景(warehouse_fire_drill、chemical_leak_drill)或文件路径"
        ),
        "help_drill_roster": "人员名册,CSV或XLSX(见 docs/DRILL.md)",
        "help_drill_log": "演练日志(默认:drill-SCENARIO-时间.jsonl)",
        "help_drill_evaluator": "在此控制台记录的人(随每条记录保存)",
        "help_drill_resume": "继续一次控制台中断的演练",
        "help_cmd_predict": "疏散模型对演练现场的时间预测(以及现场变体与之对比)",
        "help_desc_predict": (
            "将场景现场布局的SimPy疏散模型运行n次:各区域清空时间、最后一人撤出、最后一人到达集合"
            "点、各区域签到完毕、清点人数完成(自警报起的分钟数;均值、5%、50%、95%)。加 --variant "
            "时,在相同抽样上运行变体的现场,并给出配对差值。"
        ),
        "help_epilog_predict": (
            "示例:\n"
            "  drillsim predict warehouse_fire_drill --roster roster.csv\n"
            "  drillsim predict warehouse_fire_drill --variant exit_b_blocked -n 1000\n"
        ),
        "help_predict_scenario": "带 `drill.site` 布局的场景",
        "help_predict_variant": "将此现场变体与基线对比(可重复)",
        "help_predict_roster": "各区域人数取自名册中的在场人员",
        "help_predict_n": "模拟疏散次数(默认500)",
        "help_predict_seed": "随机种子(默认1)",
        "help_predict_json": "输出JSON",
        "help_mc_replications": "重复次数(默认1000)",
        "help_mc_seed": "根种子(默认1);第i次重复使用 SeedSequence(S).spawn(N)[i]",
        "help_mc_workers": (
            "运行重复的进程数,含本进程(默认:每个CPU核一个,每批至多一个;1 = 仅本进程)"
        ),
        "help_mc_batch": (
            "每个任务发给工作进程的重复次数(默认:每个本地工作进程约16个任务,每个100-500次;用 --dask "
            "时为250)"
        ),
        "help_mc_dask": (
            "在已有的Dask分布式集群上运行各批(调度器地址,如 tcp://10.0.0.5:8786),而不用本地进程"
        ),
        "help_mc_logs": "同时将每次重复的事件日志写到DIR下(慢,占空间大)",
        "help_mc_records": (
            "同时将每次重复的记录写到FILE:.csv(带BOM的UTF-8)、.jsonl 或 .parquet(需要pyarrow)"
        ),
        "help_mc_quiet": "不在stderr上显示进度条和总结行",
        "help_mc_fast": (
            "要求使用向量化快速路径(整批重复以数组计算,抽样与引擎相同);无法精确建模该计划时拒绝并说明原因。"
            "不加此项时,凡能精确建模的计划自动使用快速路径"
        ),
        "help_mc_engine": "总是用SimPy引擎逐次运行(不用快速路径)",
        "help_mc_json": "以JSON输出结果(见 docs/MONTECARLO.md)",
        "help_mc_csv": "按每项义务发生和每个服务各一行写到FILE(见 docs/MONTECARLO.md)",
        "help_cmd_montecarlo": "由机器人扮演所有角色运行N次重复,报告各项概率",
        "help_desc_montecarlo": (
            "由机器人扮演所有角色将SCENARIO运行N次,并报告:每项义务按时完成的概率(95% Wilson区间"
            ")、完成用时、未完成的频率;每个服务达成RTO的概率和中断时长;最终申报的级别;以及哪些义"
            "务拖延了下游环节。"
        ),
        "help_cmd_compare": "在相同种子上将预案变体与基线对比",
        "help_desc_compare": (
            "在相同种子上(共同随机数)运行SCENARIO本身及应用每个VARIANT后的SCENARIO,按义务和服务"
            "报告配对差值。"
        ),
        "help_compare_scenario": "随附场景的编号或场景文件的路径",
        "help_compare_variants": "预案变体(随附编号或覆盖文件)",
        "help_compare_variant": "将此变体同样应用于基线和每个对比的变体;可重复",
        "help_compare_roster": "实地演练场景:按名单中今日在岗人员计各区域人数(见 docs/DRILL.md)",
        "help_compare_site": (
            "按疏散模型比较场地变体(实地演练场景,见 docs/DRILL.md);不加此项和 --duties 时,"
            "带场地的演练场景按变体改变的内容选择:只改场地用疏散模型,不改场地用蒙特卡洛"
        ),
        "help_compare_duties": "按职责做蒙特卡洛比较,即使场景是带场地的实地演练",
        "help_cmd_play": "在终端界面中进行演练(人扮演角色,其余由模拟扮演)",
        "help_desc_play": (
            "打开演练界面。给出SCENARIO时立即开始(时钟暂停:按空格键);不给时,大厅列出随附场景。按"
            "键见底栏;按 ? 显示全部。事件日志随演练写出,可用 `drillsim score LOG` 评分。"
        ),
        "help_play_scenario": "随附场景的编号或路径;省略则进入大厅",
        "help_play_role": "由人扮演的角色(可重复);其余角色由模拟扮演",
        "help_play_mode": (
            "training:时限倒计时并有提示;exercise:显示时限;test:隐藏时限(默认:场景的模式)"
        ),
        "help_play_speed": "时钟速度,1(真实时间)到60(每秒一个模拟分钟);默认1",
        "help_play_seed": "随机种子(默认:随机选取,显示在屏幕上并写入日志)",
        "help_play_lang": "界面语言(同 `drillsim --lang`;默认:取自系统区域设置)",
        "help_play_log": (
            "要写的事件日志(默认:当前目录下 drillsim-SCENARIO-SEED-YYYYmmdd-HHMMSS.jsonl)"
        ),
        "help_play_force": "--log 文件已存在时覆盖它",
        "help_play_variant": "应用一个预案变体(覆盖文件或随附编号);可重复",
        "help_play_run": "开始时时钟即运行,而非暂停",
        "help_play_vary": (
            "按种子抽取场景的 `vary` 范围(注入时间、事实):换一个种子就是另一场演练(--trainee 时"
            "总是开启)"
        ),
        "help_play_trainee": "学员控制台:没有导演视图和按键,时钟自动运行(需要 --role)",
        "help_play_name": "学员姓名:本次演练加入其档案(`drillsim trainee NAME`);隐含 --trainee",
        "help_cmd_report": "演练评估报告(HSEEP AAR/IP)——针对一份日志或 montecarlo/compare 的结果",
        "help_desc_report": (
            "为一次演练(事件日志,.jsonl)或多次重复(`drillsim montecarlo|compare --json` 输出的JSON)"
            "撰写评估报告:概述、目标和关键任务及其证据、定级、业务连续性、时间线、优点和待改进之"
            "处、改进计划。评估员的P/S/M/U评分和复盘意见来自 --ratings。"
        ),
        "help_report_input": "事件日志(.jsonl)或 montecarlo/compare 的结果(.json)",
        "help_report_output": "写到此处(格式由后缀决定:.html .md .json)",
        "help_report_format": "输出格式(默认:取自 -o,否则为md)",
        "help_report_lang": "报告语言(默认:drillsim --lang,否则取自系统区域设置)",
        "help_report_ratings": "评估员评分文件(YAML;见 docs/REPORTS.md)",
        "help_report_ratings_template": "为评估员写一份评分文件,预填关键任务和改进计划草稿",
        "help_report_date": "演练日期(默认:日志中人员的真实时间记录,否则为文件日期)",
        "help_report_target": "重复结果报告:一项义务应达到的按时概率(默认0.9)",
        "help_report_attach": "演练记录:将此照片或文件列为附件(可重复)",
        "help_report_no_names": "演练记录:不写人员姓名(改用工号)",
        "help_report_predict_n": "演练记录:用以对照实测时间的模拟疏散次数(0:不对照)",
        "help_cmd_msel": "MSEL表格:将场景的注入导出为CSV/XLSX,再导入回来",
        "help_desc_msel": "以表格(CSV或XLSX)形式呈现的主场景事件清单(MSEL)。",
        "help_cmd_export": "将场景的注入写成表格",
        "help_export_output": "写到此处(默认:CSV输出到stdout)",
        "help_export_headers": "列标题的语言(默认:--lang);导入两种都能读",
        "help_cmd_import": "由表格中的注入生成场景YAML",
        "help_desc_import": (
            "从FILE(CSV或XLSX)读取注入并写出场景:其他部分(预案、事件、时间线、缺席、中断、目标、"
            "覆盖设置……)取自 --base(默认:第1行所指的场景)。问题以 文件:行:列: 说明 的形式输出。"
        ),
        "help_import_file": "MSEL表格(.csv 或 .xlsx)",
        "help_import_output": "将场景写到此处(默认:stdout)",
        "help_import_base": "提供注入以外一切内容的场景",
        "help_import_id": "新场景使用此编号(默认:基础场景的编号)",
        "help_cmd_serve": "向多名参与者提供一场演练(`drillsim join` 或浏览器)",
        "help_desc_serve": (
            "以服务器方式开始一场演练。写出 LOG.join.json(仅所有者可读),其中每个角色、导演和评估"
            "员各有一个秘密令牌,并输出加入命令。由导演开始演练;届时无人加入的角色由机器人扮演(--others "
            "bot)或等待有人加入(--others wait)。崩溃后,`drillsim serve --resume LOG` 以相同令牌"
            "继续。"
        ),
        "help_serve_scenario": "随附场景的编号或场景文件的路径(不与 --resume 同用)",
        "help_serve_variant": "应用一个预案变体(覆盖文件或随附编号);可重复",
        "help_serve_seed": "随机种子(默认:随机选取,写入日志)",
        "help_serve_others": "演练开始时无人加入的角色:由机器人扮演(默认)或等待有人加入",
        "help_serve_speed": "时钟速度,1(真实时间)到60(每秒一个模拟分钟)",
        "help_serve_host": "绑定的地址(默认127.0.0.1:仅本机)",
        "help_serve_log": "事件日志(默认 drillsim-SCENARIO-SEED-….jsonl)",
        "help_serve_resume": "继续此日志所记录的已崩溃会话",
        "help_serve_force": "--log 文件及其加入文件已存在时覆盖(绝不覆盖另一服务器正在写的日志)",
        "help_serve_web": "同时在 --web-port 上向浏览器提供控制台(textual-serve)",
        "help_serve_live": (
            "实地演练,按真实时钟(实地演练场景,需 --roster):评估员记录时间戳,"
            "疏散引导员签到,由演练负责人拉响警铃(见 docs/DRILL.md)"
        ),
        "help_serve_roster": "--live:人员名单,CSV 或 XLSX",
        "help_serve_evaluator": "--live:为评估员NAME生成个人令牌(可重复;另有一个共用令牌)",
        "help_cmd_web": "向浏览器提供加入控制台(供没有Python的参与者使用)",
        "help_desc_web": (
            "用textual-serve向网页浏览器提供 `drillsim join URL`:每个浏览器标签页打开控制台,控制"
            "台会要求输入参与者的加入码(见加入文件)。"
        ),
        "help_web_url": "会话服务器的地址(加入文件中的url)",
        "help_web_host": "绑定的地址(默认127.0.0.1)",
        "help_cmd_join": "加入一场提供中的演练:控制台,或用 --actions / --run-to 运行脚本",
        "help_desc_join": (
            "以参与者身份打开一场提供中的演练的控制台。令牌(或其加入码)表明你是谁:角色只看到自己"
            "的视图;导演看到时钟、注入和实时结论;评估员看到时间线和评分表。加 --actions,则无界面"
            "地为令牌所属角色执行动作文件;加 --run-to(导演),则将时钟运行到该分钟并停在那里。"
        ),
        "help_join_url": "服务器的地址,同加入文件中所写",
        "help_join_token": "加入文件中的令牌或加入码(不给时,控制台会要求输入加入码)",
        "help_join_actions": "为令牌所属角色执行此动作文件",
        "help_join_run_to": "导演:将时钟运行到T",
        "help_join_speed": "以此速度执行 --run-to(否则立即到达)",
        "help_join_wait_for": "--run-to:先等待ROLE加入(并发送其动作);可重复",
        "help_join_retry": "在S秒内持续重连",
        "help_join_name": "实地演练中使用共用评估员令牌时:每条记录所署的姓名",
        "help_cmd_trainee": "学员历次演练的进步,以及导出所有学员的档案",
        "help_desc_trainee": (
            "显示学员档案:每次演练(场景、模式、日期、按时率、定级正确数),每个条款其义务按时完成"
            "的频率及趋势,以及下一个建议演练的场景。加 --export,将每个学员的档案写到文件。"
        ),
        "help_trainee_name": "学员(即 play --name 所给的姓名)",
        "help_trainee_json": "以JSON输出档案和进步情况",
        "help_trainee_export": "写出所有学员的档案;格式由后缀决定(.csv .json .md .html)",
        "help_scenario": "随附场景的编号(见 `drillsim list`)或场景文件的路径",
        "help_variant": "应用一个预案变体(覆盖文件或随附编号);可重复",
        "help_lang": "输出语言(默认:取自系统区域设置)",
        "help_epilog_drill": (
            "示例:\n"
            "  drillsim drill warehouse_fire_drill --roster roster.csv --evaluator 王工\n"
            "  drillsim drill chemical_leak_drill --roster roster.xlsx --log 2026-drill.jsonl\n"
            "  drillsim drill --resume 2026-drill.jsonl         # 崩溃后继续:不丢任何记录\n"
            "  drillsim score 2026-drill.jsonl --json           # 结论、里程碑、清点人数\n"
            "按键:1-9 和 a-z 记录旁边显示的里程碑;/ 按工号或姓名为人员签到;+ 添加访客或承包商;\n"
            "! 结束清点并列出未到人员;^n 为上一条记录加备注;^e 更正一条记录;^x 结束演练;\n"
            "^q 退出(日志仍可继续)。\n"
        ),
        "help_epilog_montecarlo": (
            "示例:\n"
            "  drillsim montecarlo payment_outage -n 2000\n"
            "  drillsim montecarlo payment_outage -n 10000 --workers 2 --json > mc.json\n"
            "  drillsim montecarlo payment_outage -n 2000 --variant sms_fallback --csv mc.csv\n"
            "  drillsim montecarlo payment_outage -n 100000 --dask tcp://scheduler:8786\n"
            "\n"
            "第i次重复的种子为 SeedSequence(SEED).spawn(N)[i]:无论 --workers、--batch 或 --dask "
            "如何,\n"
            "结果都相同。JSON和CSV格式:见 docs/MONTECARLO.md。"
        ),
        "help_epilog_compare": (
            "示例:\n"
            "  drillsim compare payment_outage trained_deputy sms_fallback -n 2000\n"
            "  drillsim compare payment_outage my_change.yaml -n 5000 --json > cmp.json\n"
            "\n"
            "基线和每个变体在相同种子上以共同随机数运行;按义务和服务给出配对差值(变体减基线)及其"
            "95%区间,\n"
            "区间不含0时标为“变化”。格式:见 docs/MONTECARLO.md。"
        ),
        "help_epilog_report": (
            "示例:\n"
            "  drillsim run payment_outage --actions acts.yaml --others idle --log run.jsonl\n"
            "  drillsim report run.jsonl -o aar.html                      # HSEEP AAR/IP,单个自"
            "含文件\n"
            "  drillsim --lang zh report run.jsonl -o 评估报告.html          # 演练评估报告\n"
            "  drillsim report run.jsonl --ratings-template ratings.yaml   # 供评估员填写\n"
            "  drillsim report run.jsonl --ratings ratings.yaml -o aar.md  # Markdown(另有 aar.timeline.svg)"
            "\n"
            "  drillsim report mc.json -o mc.html                          # montecarlo/compare "
            "结果(--json 输出)\n"
            "格式由输出文件的后缀决定(.html .md .json);不给 -o 时,Markdown输出到stdout。\n"
        ),
        "help_epilog_msel": (
            "示例:\n"
            "  drillsim msel export payment_outage -o msel.xlsx     # 或 .csv(带BOM的UTF-8,可用"
            "Excel打开)\n"
            "  drillsim msel import msel.xlsx -o my_scenario.yaml   # 基础场景:第1行所指的场景,"
            "或 --base\n"
            "列:编号、时间(分钟)、时钟、阶段、事件、发送方、接收方、渠道、消息、消息(英文)、"
            "预期行动、目标、触发条件、取消条件、属性变化、服务中断、负责控制员、备注、实际送达时间"
            "(见 docs/REPORTS.md)。\n"
        ),
        "help_epilog_trainee": (
            "示例:\n"
            "  drillsim play payment_outage --role duty_supervisor --mode training --name li_ming\n"
            "  drillsim trainee li_ming                 # 历次演练、每个条款的按时频率及趋势、下"
            "一个场景\n"
            "  drillsim trainee --export trainees.csv   # 所有学员(.csv 带BOM、.json、.md、.html)"
            "\n"
            "档案保存在用户数据文件夹中(Linux上为 $XDG_DATA_HOME/drillsim/trainees)。\n"
        ),
        "help_force": "输出文件已存在时覆盖(绝不覆盖命令自己的输入)",
        "help_mc_force": "输出文件已存在时覆盖(绝不覆盖命令自己的输入);--logs 可写入已用过的文件夹",
        "help_scenarios": (
            "先在DIR中查找场景、预案(DIR 或 DIR/procedures)和变体(DIR/variants),再查随附的;可重"
            "复;环境变量 DRILLSIM_SCENARIOS 作用相同(文件夹以 ':' 分隔)"
        ),
        "help_serve_port": "监听的端口(默认{port};0:任一空闲端口)",
        "help_web_port": "监听的端口(默认{port})",
        "help_serve_mode": "training、exercise 或 test(默认:场景的模式)",
        "help_serve_web_port": "加 --web 时浏览器使用的端口(默认{port})",
        "help_sub_lang": "输出语言(同 `drillsim --lang`;默认:取自系统区域设置)",
        "help_validate_files": "预案、场景或变体文件(YAML)",
        "help_schema_kind": "哪种格式的Schema(默认:全部)",
        "help_desc_drillsim": (
            "drillsim —— 应急演练与桌面推演模拟器。预案变成数据;SimPy让事件按预案演进;评分指出哪"
            "些时限达成了。"
        ),
        "help_epilog_drillsim": (
            "示例:\n"
            "  drillsim list\n"
            "  drillsim run payment_outage --seed 7\n"
            "  drillsim run payment_outage --actions my_actions.yaml --others idle --log run.jsonl\n"
            "  drillsim score run.jsonl --json\n"
            "  drillsim validate scenarios/*.yaml scenarios/procedures/*.yaml"
        ),
        "argparse_usage": "用法: ",
        "argparse_options": "选项",
        "argparse_positionals": "位置参数",
        "argparse_help": "显示此帮助信息并退出",
        "argparse_error": "%(prog)s: 错误: %(message)s\n",
        "argparse_required": "缺少以下参数: %s",
        "argparse_unrecognized": "无法识别的参数: %s",
        "argparse_argument": "参数 %(argument_name)s: %(message)s",
        "argparse_choice": "无效的选项值: %(value)r(可选: %(choices)s)",
        "argparse_invalid": "无效的 %(type)s 值: %(value)r",
        "argparse_one": "需要一个参数值",
        "argparse_ambiguous": "选项有歧义: %(option)s 可匹配 %(matches)s",
        "argtype_whole": "应为整数,而不是 {text!r}",
        "argtype_seed_range": "应在0到2**128之间(不含2**128),而不是 {value}",
        "argtype_date": "应为 YYYY-MM-DD 格式的日期,而不是 {text!r}",
        "argtype_probability": "应为 (0, 1] 之间的概率,而不是 {text!r}",
    },
    "en": {
        "help_cmd_list": "list the shipped scenarios (and those in --scenarios folders)",
        "help_list_json": "print JSON",
        "help_cmd_validate": "check procedure, scenario and variant files (exit 2 on problems)",
        "help_desc_validate": (
            "Check files; every problem is printed as FILE:LINE:COL: message. Exit 0 when valid,"
            " 2 otherwise."
        ),
        "help_validate_actions": "also check an actions file ...",
        "help_validate_scenario": "... against this scenario",
        "help_cmd_schema": "print the JSON Schema of the file formats",
        "help_cmd_describe": "roles, channels, services and obligations of a scenario's plan",
        "help_describe_json": "print JSON (the contract in the README)",
        "help_cmd_run": "play a scenario headless and score it",
        "help_desc_run": (
            "Play SCENARIO start to end with bots (and/or a script) and print the verdicts."
        ),
        "help_run_seed": "random seed (default 1): same seed and actions, same log",
        "help_run_actions": "actions file: roles named in it are played by the script",
        "help_run_others": "who plays the roles the script does not: bots (default) or nobody",
        "help_run_log": (
            "write the event log (JSON Lines, hash-chained) here; refused if FILE exists"
        ),
        "help_run_vary": "draw the scenario's `vary` ranges (inject times, facts) from the seed",
        "help_run_json": "print the result as JSON (the contract in the README)",
        "help_cmd_score": (
            "score a saved event log (same result as `run`); --verify checks it was not altered"
        ),
        "help_desc_score": (
            "Score a saved event log. With --verify: check the log's hash chain and re-simulate "
            "the run from its seed and recorded actions; the exit status says what was found (0 "
            "intact, 3 header edited, 4 a line edited, 5 lines deleted or inserted, 6 re-simulation "
            "differs, 7 no hash chain; README, 'Event log')."
        ),
        "help_score_log": "an event log written by run --log or by play",
        "help_score_json": "print JSON",
        "help_score_verify": "check the hash chain and re-simulate instead of scoring",
        "help_cmd_drill": (
            "the live logbook of a real drill: stamp milestones, count heads, live verdicts"
        ),
        "help_desc_drill": (
            "Open the drill console on the real clock. Nothing runs until the alarm is stamped "
            "(key 1); from then on evaluators stamp milestones with one key, wardens check people "
            "in, and the verdicts follow the procedure's deadlines live. Every stamp and check-in "
            "is an event in the drill's log."
        ),
        "help_drill_scenario": (
            "a scenario set up as a live drill (warehouse_fire_drill, chemical_leak_drill) or a "
            "path"
        ),
        "help_drill_roster": "the roster, CSV or XLSX (docs/DRILL.md)",
        "help_drill_log": "the drill log (default: drill-SCENARIO-TIME.jsonl)",
        "help_drill_evaluator": "who stamps at this console (recorded with every stamp)",
        "help_drill_resume": "continue a drill whose console stopped",
        "help_cmd_predict": (
            "the evacuation model's times for a drill's site (and a site variant against it)"
        ),
        "help_desc_predict": (
            "Run the SimPy evacuation model of the scenario's site layout n times: time to clear "
            "each area, the last person out, the last at the assembly point, each area checked "
            "in, the headcount complete (minutes from the alarm; mean, 5%, 50%, 95%). With --variant,"
            " the variant's site on the same draws and the paired difference."
        ),
        "help_epilog_predict": (
            "Examples:\n"
            "  drillsim predict warehouse_fire_drill --roster roster.csv\n"
            "  drillsim predict warehouse_fire_drill --variant exit_b_blocked -n 1000\n"
        ),
        "help_predict_scenario": "a scenario with a `drill.site` layout",
        "help_predict_variant": "compare this site variant with the base (repeatable)",
        "help_predict_roster": "people per area from the roster's present",
        "help_predict_n": "simulated evacuations (default 500)",
        "help_predict_seed": "random seed (default 1)",
        "help_predict_json": "print JSON",
        "help_mc_replications": "number of replications (default 1000)",
        "help_mc_seed": "root seed (default 1); replication i uses SeedSequence(S).spawn(N)[i]",
        "help_mc_workers": (
            "processes that run replications, this one included (default: one per core, at most "
            "one per batch; 1 = this process alone)"
        ),
        "help_mc_batch": (
            "replications per task sent to a worker (default: about 16 tasks per local worker, "
            "100-500 each; 250 with --dask)"
        ),
        "help_mc_dask": (
            "run the batches on an existing Dask distributed cluster (scheduler address, e.g. tcp:"
            "//10.0.0.5:8786) instead of local processes"
        ),
        "help_mc_logs": "also write every replication's event log under DIR (slow, large)",
        "help_mc_records": (
            "also write every replication's records to FILE: .csv (UTF-8 with BOM), .jsonl or .parquet "
            "(needs pyarrow)"
        ),
        "help_mc_quiet": "no progress bar or summary line on stderr",
        "help_mc_fast": (
            "require the vectorised fast path (whole batches of replications as arrays, the "
            "engine's draws); refused, with the reasons, for a plan it cannot model exactly. "
            "Without it, the fast path is used automatically wherever it is exact"
        ),
        "help_mc_engine": "always run replications one by one on the SimPy engine (no fast path)",
        "help_mc_json": "print the result as JSON (docs/MONTECARLO.md)",
        "help_mc_csv": "write one row per duty and per service to FILE (docs/MONTECARLO.md)",
        "help_cmd_montecarlo": "run N replications with bots in every role and report the odds",
        "help_desc_montecarlo": (
            "Run SCENARIO N times with bots in every role and report, per duty, the probability "
            "it is met on time (95% Wilson interval), time to done, how often it is missed; per "
            "service, the chance the RTO is met and the downtime; the final declared level; and "
            "which duties hold up the chain downstream."
        ),
        "help_cmd_compare": "compare plan variants with the base on the same seeds",
        "help_desc_compare": (
            "Run SCENARIO and SCENARIO with each VARIANT applied on the same seeds (common random "
            "numbers) and report the paired differences per duty and per service."
        ),
        "help_compare_scenario": "a shipped scenario's id or a path to a scenario file",
        "help_compare_variants": "plan variants (shipped ids or overlay files)",
        "help_compare_variant": (
            "apply this variant to the base and to every compared variant alike; repeatable"
        ),
        "help_compare_roster": (
            "a live drill's scenario: people per area from the roster (docs/DRILL.md)"
        ),
        "help_compare_site": (
            "compare site variants by the evacuation model (a live drill's scenario, "
            "docs/DRILL.md); without it or --duties, a drill with a site is compared by what the "
            "variants change: the site only, the evacuation model; no part of the site, the "
            "Monte Carlo"
        ),
        "help_compare_duties": (
            "the Monte Carlo of the duties, even on a live drill's scenario with a site"
        ),
        "help_cmd_play": (
            "play an exercise in the terminal UI (people play roles, the simulation the rest)"
        ),
        "help_desc_play": (
            "Open the exercise UI. With SCENARIO, start it at once (the clock paused: press space)"
            "; without, a lobby lists the shipped scenarios. Keys are in the footer; ? shows them "
            "all. The event log is written as the exercise runs and can be scored with `drillsim "
            "score LOG`."
        ),
        "help_play_scenario": "a shipped scenario's id or a path; omit it for the lobby",
        "help_play_role": (
            "a role played by a person (repeatable); the others are played by the simulation"
        ),
        "help_play_mode": (
            "training: deadlines count down with hints; exercise: deadlines shown; test: deadlines "
            "hidden (default: the scenario's mode)"
        ),
        "help_play_speed": (
            "clock speed, 1 (real time) to 60 (a simulated minute per second); default 1"
        ),
        "help_play_seed": "random seed (default: a random one, shown on screen and in the log)",
        "help_play_lang": (
            "language of the UI (same as `drillsim --lang`; default: from the locale)"
        ),
        "help_play_log": (
            "event log to write (default: drillsim-SCENARIO-SEED-YYYYmmdd-HHMMSS.jsonl here)"
        ),
        "help_play_force": "overwrite the --log file if it exists",
        "help_play_variant": "apply a plan variant (overlay file or shipped id); repeatable",
        "help_play_run": "start with the clock running instead of paused",
        "help_play_vary": (
            "draw the scenario's `vary` ranges (inject times, facts) from the seed: another exercise "
            "for another seed (always on for --trainee)"
        ),
        "help_play_trainee": (
            "a trainee's console: no facilitator view or keys, the clock runs by itself (needs "
            "--role)"
        ),
        "help_play_name": (
            "the trainee's name: the session is added to their record (`drillsim trainee NAME`)"
            "; implies --trainee"
        ),
        "help_cmd_report": (
            "after-action report (HSEEP AAR/IP; 演练评估报告) of a log or of montecarlo/compare "
            "results"
        ),
        "help_desc_report": (
            "Write the after-action report of one exercise (an event log, .jsonl) or of replications "
            "(the JSON of `drillsim montecarlo|compare --json`): overview, objectives and critical "
            "tasks with evidence, grading, continuity, timeline, strengths and areas for improvement,"
            " improvement plan. Evaluators' P/S/M/U ratings and hotwash notes come from --ratings."
        ),
        "help_report_input": "an event log (.jsonl) or montecarlo/compare results (.json)",
        "help_report_output": "write here (format from the suffix: .html .md .json)",
        "help_report_format": "output format (default: from -o, else md)",
        "help_report_lang": "language of the report (default: drillsim --lang, else the locale)",
        "help_report_ratings": "evaluators' ratings file (YAML; docs/REPORTS.md)",
        "help_report_ratings_template": (
            "write a ratings file for evaluators, pre-filled with the critical tasks and the drafted "
            "plan"
        ),
        "help_report_date": (
            "date of the exercise (default: people's wall-clock stamps in the log, else the file's "
            "date)"
        ),
        "help_report_target": (
            "replication reports: the chance of being on time a duty should reach (default 0.9)"
        ),
        "help_report_attach": (
            "drill record: list this photo or document as an attachment (repeatable)"
        ),
        "help_report_no_names": "drill record: leave people's names out (employee numbers instead)",
        "help_report_predict_n": (
            "drill record: simulated evacuations to set the measured times against (0: none)"
        ),
        "help_cmd_msel": (
            "MSEL spreadsheets: export a scenario's injects to CSV/XLSX, import them back"
        ),
        "help_desc_msel": "The master scenario events list as a spreadsheet (CSV or XLSX).",
        "help_cmd_export": "write a scenario's injects as a spreadsheet",
        "help_export_output": "write here (default: CSV to stdout)",
        "help_export_headers": (
            "language of the column headers (default: --lang); import reads either"
        ),
        "help_cmd_import": "make a scenario YAML from a spreadsheet's injects",
        "help_desc_import": (
            "Read the injects from FILE (CSV or XLSX) and write a scenario: the other parts (procedures,"
            " incidents, timeline, absences, outages, objectives, overrides …) come from --base "
            "(default: the scenario named in row 1). Problems are printed as FILE:ROW:COL: message."
        ),
        "help_import_file": "the MSEL spreadsheet (.csv or .xlsx)",
        "help_import_output": "write the scenario here (default: stdout)",
        "help_import_base": "scenario that supplies everything but the injects",
        "help_import_id": "give the new scenario this id (default: the base's)",
        "help_cmd_serve": (
            "serve an exercise to several participants (`drillsim join` or a browser)"
        ),
        "help_desc_serve": (
            "Start one exercise as a server. Writes LOG.join.json (owner-only) with one secret "
            "token per role, one for the facilitator and one for evaluators, and prints the join "
            "commands. The facilitator starts the exercise; roles nobody joined by then are played "
            "by their bots (--others bot) or wait for a person (--others wait). After a crash, "
            "`drillsim serve --resume LOG` continues it with the same tokens."
        ),
        "help_serve_scenario": (
            "a shipped scenario's id or a path to a scenario file (not with --resume)"
        ),
        "help_serve_variant": "apply a plan variant (overlay file or shipped id); repeatable",
        "help_serve_seed": "random seed (default: a random one, written in the log)",
        "help_serve_others": (
            "roles nobody joined when the exercise starts: played by bots (default) or waiting "
            "for a person"
        ),
        "help_serve_speed": "clock speed, 1 (real time) to 60 (a simulated minute per second)",
        "help_serve_host": "address to bind (default 127.0.0.1: this machine only)",
        "help_serve_log": "event log (default drillsim-SCENARIO-SEED-….jsonl)",
        "help_serve_resume": "continue the crashed session of this log",
        "help_serve_force": (
            "overwrite an existing --log and its join file (never a log another server writes)"
        ),
        "help_serve_web": "also serve the console to browsers (textual-serve), on --web-port",
        "help_serve_live": (
            "a live drill on the wall clock (a drill scenario, --roster): evaluators stamp, "
            "wardens check people in, the facilitator raises the alarm (docs/DRILL.md)"
        ),
        "help_serve_roster": "--live: the roster, CSV or XLSX",
        "help_serve_evaluator": (
            "--live: a personal evaluator token for NAME (repeatable; besides the shared one)"
        ),
        "help_cmd_web": "serve the join console to browsers (participants without Python)",
        "help_desc_web": (
            "Serve `drillsim join URL` to web browsers with textual-serve: each browser tab opens "
            "the console, which asks for the participant's join code (from the join file)."
        ),
        "help_web_url": "the session server's address (the join file's url)",
        "help_web_host": "address to bind (default 127.0.0.1)",
        "help_cmd_join": (
            "join a served exercise: the console, or a script with --actions / --run-to"
        ),
        "help_desc_join": (
            "Open the exercise console as a participant of a served exercise. The token (or its "
            "join code) says who you are: a role sees its own view only; the facilitator the clock,"
            " injects and live verdicts; an evaluator the timeline and the rating forms. With --actions,"
            " play an actions file for the token's role without a screen; with --run-to (facilitator)"
            ", run the clock to that minute and stop there."
        ),
        "help_join_url": "the server's address, as in the join file",
        "help_join_token": (
            "a token or join code from the join file (without it, the console asks for the code)"
        ),
        "help_join_actions": "play this actions file for the token's role",
        "help_join_run_to": "facilitator: run the clock to T",
        "help_join_speed": "--run-to at this speed (else at once)",
        "help_join_wait_for": (
            "--run-to: first wait until ROLE has joined (and sent its actions); repeatable"
        ),
        "help_join_retry": "keep reconnecting for S seconds",
        "help_join_name": "a live drill's evaluator on the shared token: the name every stamp records",
        "help_cmd_trainee": (
            "a trainee's progress over sessions, and the export of all trainees' records"
        ),
        "help_desc_trainee": (
            "Show a trainee's record: each session (scenario, mode, date, hit rate, grades "
            "right), per clause how often its duties were hit and the trend, and the scenario to "
            "play next. With --export, write every trainee's record to a file."
        ),
        "help_trainee_name": "the trainee (as given to play --name)",
        "help_trainee_json": "print the record and the progress as JSON",
        "help_trainee_export": (
            "write all trainees' records; the format follows the suffix (.csv .json .md .html)"
        ),
        "help_scenario": (
            "a shipped scenario's id (see `drillsim list`) or a path to a scenario file"
        ),
        "help_variant": "apply a plan variant (overlay file or shipped id); repeatable",
        "help_lang": "language of the output (default: from the locale)",
        "help_epilog_drill": (
            "Examples:\n"
            "  drillsim drill warehouse_fire_drill --roster roster.csv --evaluator 王工\n"
            "  drillsim drill chemical_leak_drill --roster roster.xlsx --log 2026-drill.jsonl\n"
            "  drillsim drill --resume 2026-drill.jsonl         # after a crash: no stamp is lost\n"
            "  drillsim score 2026-drill.jsonl --json           # verdicts, milestones, headcount\n"
            "Keys: 1-9 and a-z stamp the milestone shown beside them; / checks people in by number "
            "or name;\n"
            "+ adds a visitor or contractor; ! closes the headcount with the missing listed; ^n "
            "adds a note\n"
            "to the last stamp; ^e corrects a stamp; ^x ends the drill; ^q quits (the log stays "
            "resumable).\n"
        ),
        "help_epilog_montecarlo": (
            "Examples:\n"
            "  drillsim montecarlo payment_outage -n 2000\n"
            "  drillsim montecarlo payment_outage -n 10000 --workers 2 --json > mc.json\n"
            "  drillsim montecarlo payment_outage -n 2000 --variant sms_fallback --csv mc.csv\n"
            "  drillsim montecarlo payment_outage -n 100000 --dask tcp://scheduler:8786\n"
            "\n"
            "Replication i is seeded with SeedSequence(SEED).spawn(N)[i]: the results are identical "
            "whatever\n"
            "--workers, --batch or --dask. JSON and CSV formats: docs/MONTECARLO.md."
        ),
        "help_epilog_compare": (
            "Examples:\n"
            "  drillsim compare payment_outage trained_deputy sms_fallback -n 2000\n"
            "  drillsim compare payment_outage my_change.yaml -n 5000 --json > cmp.json\n"
            "\n"
            "The base and every variant run on the same seeds with common random numbers; per duty "
            "and per\n"
            "service the paired difference (variant minus base) is given with its 95% interval,"
            " and marked\n"
            "changed when that interval excludes 0. Formats: docs/MONTECARLO.md."
        ),
        "help_epilog_report": (
            "Examples:\n"
            "  drillsim run payment_outage --actions acts.yaml --others idle --log run.jsonl\n"
            "  drillsim report run.jsonl -o aar.html                      # HSEEP AAR/IP, one self-contained "
            "file\n"
            "  drillsim --lang zh report run.jsonl -o 评估报告.html          # 演练评估报告\n"
            "  drillsim report run.jsonl --ratings-template ratings.yaml   # for evaluators to "
            "fill in\n"
            "  drillsim report run.jsonl --ratings ratings.yaml -o aar.md  # Markdown (+ aar.timeline.svg)"
            "\n"
            "  drillsim report mc.json -o mc.html                          # montecarlo/compare "
            "results (--json output)\n"
            "The format follows the output's suffix (.html .md .json); without -o, Markdown goes "
            "to stdout.\n"
        ),
        "help_epilog_msel": (
            "Examples:\n"
            "  drillsim msel export payment_outage -o msel.xlsx     # or .csv (UTF-8 with BOM, "
            "opens in Excel)\n"
            "  drillsim msel import msel.xlsx -o my_scenario.yaml   # base: the scenario named "
            "in row 1, or --base\n"
            "Columns: id, time, clock, phase, incident, from, to, channel, message, message_en,"
            " expected action,\n"
            "objective, condition, unless, set, down, responsible controller, notes, actual "
            "delivery time\n(docs/REPORTS.md).\n"
        ),
        "help_epilog_trainee": (
            "Examples:\n"
            "  drillsim play payment_outage --role duty_supervisor --mode training --name li_ming\n"
            "  drillsim trainee li_ming                 # sessions, per clause how often hit and "
            "the trend, next\n"
            "  drillsim trainee --export trainees.csv   # every trainee (.csv with BOM, .json, "
            ".md, .html)\n"
            "Records are kept in the user's data folder ($XDG_DATA_HOME/drillsim/trainees on Linux)"
            ".\n"
        ),
        "help_force": "overwrite the output file(s) if they exist (never the command's own input)",
        "help_mc_force": (
            "overwrite the output file(s) if they exist (never the command's own input); --logs "
            "into a used folder"
        ),
        "help_scenarios": (
            "also look for scenarios, procedures (DIR or DIR/procedures) and variants (DIR/variants)"
            " in DIR, before the shipped ones; repeatable; the environment variable DRILLSIM_SCENARIOS "
            "does the same (folders separated by ':')"
        ),
        "help_serve_port": "port to listen on (default {port}; 0: any free port)",
        "help_web_port": "port to listen on (default {port})",
        "help_serve_mode": "training, exercise or test (default: the scenario's mode)",
        "help_serve_web_port": "the browsers' port with --web (default {port})",
        "help_sub_lang": (
            "language of the output (same as `drillsim --lang`; default: from the locale)"
        ),
        "help_validate_files": "procedure, scenario or variant files (YAML)",
        "help_schema_kind": "which format's schema (default: all)",
        "help_desc_drillsim": (
            "drillsim — drill and tabletop-exercise simulator. Procedures become data; SimPy plays "
            "an incident through them; scoring says which deadlines were hit."
        ),
        "help_epilog_drillsim": (
            "Examples:\n"
            "  drillsim list\n"
            "  drillsim run payment_outage --seed 7\n"
            "  drillsim run payment_outage --actions my_actions.yaml --others idle --log run.jsonl\n"
            "  drillsim score run.jsonl --json\n"
            "  drillsim validate scenarios/*.yaml scenarios/procedures/*.yaml"
        ),
        "argparse_usage": "usage: ",
        "argparse_options": "options",
        "argparse_positionals": "positional arguments",
        "argparse_help": "show this help message and exit",
        "argparse_error": "%(prog)s: error: %(message)s\n",
        "argparse_required": "the following arguments are required: %s",
        "argparse_unrecognized": "unrecognized arguments: %s",
        "argparse_argument": "argument %(argument_name)s: %(message)s",
        "argparse_choice": "invalid choice: %(value)r (choose from %(choices)s)",
        "argparse_invalid": "invalid %(type)s value: %(value)r",
        "argparse_one": "expected one argument",
        "argparse_ambiguous": "ambiguous option: %(option)s could match %(matches)s",
        "argtype_whole": "expected a whole number, got {text!r}",
        "argtype_seed_range": "must be 0 or more (below 2**128), got {value}",
        "argtype_date": "expected a date as YYYY-MM-DD, got {text!r}",
        "argtype_probability": "expected a probability in (0, 1], got {text!r}",
    },
}
